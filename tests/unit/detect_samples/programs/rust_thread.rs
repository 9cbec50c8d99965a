use std::thread;

fn main() {
    let worker = thread::Builder::new()
        .name("loader".to_string())
        .spawn(|| {
            let config = "port = eighty";
            panic!("cannot load the configuration:\n{}\nexpected a number", config);
        })
        .unwrap();
    let result = worker.join();
    eprintln!("worker ended: {}", if result.is_err() { "panicked" } else { "ok" });
    let v: Vec<u8> = Vec::new();
    let _ = std::thread::spawn(move || v[1]).join();
    eprintln!("done");
}
