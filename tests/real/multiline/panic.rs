// What a Rust panic prints, for test_multiline_native.sh and raw/rust_*.txt.
//
// panic MODE: an ordinary line on stderr, then
//   main    a panic in main (with RUST_BACKTRACE=1 set by the caller, the
//           "stack backtrace:" lines follow)
//   thread  a panic in the thread "worker", joined; then an ordinary line
//           and exit status 3
//   unwrap  Result::unwrap() on an Err (the message quotes the error's Debug)
// A panic in main exits with status 101.
use std::thread;

fn parse_port(text: &str) -> u16 {
    text.parse::<u16>().unwrap()
}

fn check_stock(item: u32, left: i64) {
    if left < 0 {
        panic!("stock of item {} went negative: {} (order=42)", item, left);
    }
}

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "main".to_string());
    eprintln!("INFO panic: starting, mode={}", mode);
    match mode.as_str() {
        "main" => check_stock(7, -3),
        "unwrap" => {
            parse_port("54x2");
        }
        "thread" => {
            let worker = thread::Builder::new()
                .name("worker".to_string())
                .spawn(|| check_stock(9, -1))
                .unwrap();
            let joined = worker.join();
            eprintln!("INFO panic: worker ended, panicked={}", joined.is_err());
            std::process::exit(3);
        }
        _ => {
            eprintln!("unknown mode {}", mode);
            std::process::exit(2);
        }
    }
    eprintln!("INFO panic: not reached");
}
