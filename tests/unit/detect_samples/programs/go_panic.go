package main

import (
	"errors"
	"fmt"
	"os"
)

func check(n int) {
	if n > 2 {
		panic(fmt.Sprintf("too many items: %d", n))
	}
}

func cleanup() {
	if r := recover(); r != nil {
		panic(errors.New("cleanup failed"))
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "nested" {
		defer cleanup()
	}
	check(3)
}
