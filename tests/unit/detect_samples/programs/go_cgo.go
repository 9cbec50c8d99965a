package main

/*
static int twice(int x) { return 2 * x; }
*/
import "C"

func main() {
	var m map[string]int
	if C.twice(2) == 4 {
		m["x"] = 1
	}
}
