package diskindex

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"testing"
)

func keyN(i int) [16]byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	sum := sha256.Sum256(b[:])
	return [16]byte(sum[:16])
}

// plainKey is a key that is not a hash: its top bytes are all zero.
func plainKey(i int) [16]byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[8:], uint64(i))
	return k
}

func TestIndex(t *testing.T) {
	tests := []struct {
		name string
		key  func(int) [16]byte
		n    int
	}{
		{"hashed keys", keyN, 100_000},
		{"keys with equal top bytes", plainKey, 20_000},
		{"one key", keyN, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			for i := range tt.n {
				if err := x.Put(tt.key(i), uint64(i)*7); err != nil {
					t.Fatal(err)
				}
			}
			if x.Len() != tt.n {
				t.Errorf("Len = %d, want %d", x.Len(), tt.n)
			}
			for i := range tt.n {
				got, ok, err := x.Get(tt.key(i))
				if err != nil || !ok || got != uint64(i)*7 {
					t.Fatalf("Get(%d) = %d, %v, %v; want %d", i, got, ok, err, i*7)
				}
			}
			for i := tt.n; i < tt.n+1000; i++ {
				if _, ok, _ := x.Get(tt.key(i)); ok {
					t.Fatalf("key %d, never put, was found", i)
				}
			}
		})
	}
}

func TestPutReplaces(t *testing.T) {
	x, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for round := range 3 {
		for i := range 5000 {
			if err := x.Put(keyN(i), uint64(i+round)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if x.Len() != 5000 {
		t.Errorf("Len = %d after putting 5000 keys three times, want 5000", x.Len())
	}
	if v, ok, _ := x.Get(keyN(42)); !ok || v != 44 {
		t.Errorf("Get(42) = %d, %v; want the last value, 44", v, ok)
	}
	// Zero is a value like any other, not a free entry.
	if err := x.Put(keyN(1), 0); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := x.Get(keyN(1)); !ok || v != 0 {
		t.Errorf("Get(1) = %d, %v; want 0, true", v, ok)
	}
}

func TestReserveAndSize(t *testing.T) {
	x, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.Reserve(1_000_000); err != nil {
		t.Fatal(err)
	}
	size := int(x.Size())
	if size < 1_000_000*entrySize*2 || size > 1_000_000*entrySize*5 {
		t.Errorf("reserved %d bytes for a million keys", size)
	}
	for i := range 200_000 {
		if err := x.Put(keyN(i), uint64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if int(x.Size()) != size {
		t.Errorf("the table grew from %d to %d bytes within what was reserved", size, x.Size())
	}
}

// The file leaves no trace in its folder, even before Close.
func TestNothingLeftBehind(t *testing.T) {
	dir := t.TempDir()
	x, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50_000 {
		x.Put(keyN(i), 1)
	}
	names, _ := os.ReadDir(dir)
	if len(names) != 0 {
		t.Errorf("the index left %d files in its folder: %v", len(names), names)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func BenchmarkPut(b *testing.B) {
	x, err := New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	for i := 0; b.Loop(); i++ {
		x.Put(keyN(i), uint64(i))
	}
}

func BenchmarkGet(b *testing.B) {
	x, err := New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	const n = 1 << 18
	for i := range n {
		x.Put(keyN(i), uint64(i))
	}
	for i := 0; b.Loop(); i++ {
		if _, ok, _ := x.Get(keyN(i % n)); !ok {
			b.Fatal(fmt.Sprint("lost key ", i%n))
		}
	}
}
