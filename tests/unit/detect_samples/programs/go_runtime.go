package main

import (
	"os"
	"sync"
)

type node struct{ next *node }

func index(xs []int, i int) int {
	return xs[i]
}

func deref(n *node) *node {
	return n.next
}

func main() {
	switch os.Args[1] {
	case "index":
		index([]int{1, 2, 3}, 5+len(os.Args)-2)
	case "nil":
		deref(nil)
	case "goroutine":
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			index(nil, len(os.Args))
		}()
		wg.Wait()
	case "deadlock":
		ch := make(chan int)
		ch <- 1
	}
}
