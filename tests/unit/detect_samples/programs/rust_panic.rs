fn lookup(v: &[u32], i: usize) -> u32 {
    v[i]
}

fn parse(s: &str) -> u32 {
    s.parse::<u32>().expect("port must be a number")
}

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    if which == "index" {
        println!("{}", lookup(&[1, 2, 3], 7));
    } else {
        println!("{}", parse("eighty"));
    }
}
