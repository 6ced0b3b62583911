// Command ferretdb runs FerretDB with its SQLite handler on one address: a
// MongoDB-wire server for the @kv tests where no registry ships mongod.
// tooling/test-servers/install.sh builds it; the test harness starts it.
package main

import (
	"context"
	"flag"
	"log"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	directory := flag.String("dir", "", "existing directory for the SQLite databases")
	flag.Parse()
	if *directory == "" {
		log.Fatal("-dir is required")
	}
	server, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + *directory + "/",
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log.Printf("listening on %s", *listen)
	if err := server.Run(ctx); err != nil {
		log.Fatal(err)
	}
}
