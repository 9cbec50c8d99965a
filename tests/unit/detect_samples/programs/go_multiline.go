package main

import (
	"errors"
	"fmt"
)

type configError struct{ key string }

func (e *configError) Error() string { return "bad key " + e.key }

func load() error {
	return fmt.Errorf("cannot load config:\n%w", &configError{"port"})
}

func main() {
	if err := load(); err != nil {
		var ce *configError
		if errors.As(err, &ce) {
			panic(err)
		}
	}
}
