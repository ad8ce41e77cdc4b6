//go:build unix

package lang

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestReadRegularFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small.sky", []byte("x = 1\n"))
	empty := write("empty.sky", nil)
	big := write("big.sky", bytes.Repeat([]byte("# padding\n"), 1000))
	link := filepath.Join(dir, "link.sky")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.sky")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		max  int64
		want []byte // nil: not ok
	}{
		{"regular", small, 1 << 20, []byte("x = 1\n")},
		{"empty", empty, 1 << 20, []byte{}},
		{"exactly max", big, 10000, bytes.Repeat([]byte("# padding\n"), 1000)},
		{"over max", big, 9999, nil},
		{"symbolic link", link, 1 << 20, nil},
		{"fifo", fifo, 1 << 20, nil}, // and does not wait for a writer
		{"directory", dir, 1 << 20, nil},
		{"missing", filepath.Join(dir, "missing.sky"), 1 << 20, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := readRegularFile(tt.path, tt.max)
			if ok != (tt.want != nil) {
				t.Fatalf("readRegularFile(%s) ok = %v, want %v", tt.path, ok, tt.want != nil)
			}
			if ok && !bytes.Equal(got, tt.want) {
				t.Errorf("readRegularFile(%s) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}
