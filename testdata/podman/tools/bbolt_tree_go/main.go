// bbolt_tree_go: print a bbolt file's bucket tree with the bbolt library itself, in the
// shape of bbolt_dump.py's "tree" (entries of key/value or key/bucket, with each nested
// bucket's root page id and sequence). generate.sh builds it (GOPATH mode, Debian's
// golang-github-coreos-bbolt-dev) only to check bbolt_dump.py; it is not a fixture.
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

type obj map[string]interface{}

func enc(e obj, field string, b []byte) {
	if utf8.Valid(b) {
		e[field] = string(b)
	} else {
		e[field+"_hex"] = hex.EncodeToString(b)
	}
}

func dump(b *bolt.Bucket) obj {
	entries := []obj{}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		e := obj{}
		enc(e, "key", k)
		if sub := b.Bucket(k); v == nil && sub != nil {
			e["bucket"] = dump(sub)
		} else {
			enc(e, "value", v)
		}
		entries = append(entries, e)
	}
	return obj{"root": uint64(b.Root()), "sequence": b.Sequence(), "entries": entries}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bbolt_tree_go FILE")
		os.Exit(2)
	}
	db, err := bolt.Open(os.Args[1], 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		entries := []obj{}
		err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			e := obj{}
			enc(e, "key", name)
			e["bucket"] = dump(b)
			entries = append(entries, e)
			return nil
		})
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(obj{"entries": entries})
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
