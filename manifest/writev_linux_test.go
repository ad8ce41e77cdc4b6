//go:build linux

package manifest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteStreamFile checks that a stream written to a file, which goes
// out in vectored writes where the system has them, is the stream
// written to any other writer: for objects encoded already and not,
// documents, sources shared by consecutive objects or not, with control
// characters, and more buffers than one write takes.
func TestWriteStreamFile(t *testing.T) {
	full := manyObjects(3*maxIovecs/2 + 5)
	objs := preEncoded(t, full)
	for i := range objs {
		switch {
		case i%7 == 0:
			objs[i].Source = objs[max(i-1, 0)].Source // shared with the previous one
		case i%11 == 0:
			objs[i].Source = "services/odd\x01name.sky\xff"
		}
	}
	// Chunks that WriteStream encodes itself, between encoded ones.
	for i := streamChunk; i < 2*streamChunk; i++ {
		objs[i] = full[i]
	}
	objs[5*streamChunk+1] = full[5*streamChunk+1]
	objs[3*streamChunk+3].Encoded = nil
	objs[3*streamChunk+3].Obj = full[3*streamChunk+3].Obj
	objs[1].Source = objs[0].Source // the first has no separator to share
	// Documents, consecutive ones among them.
	for _, i := range []int{2, 9, 10, 700} {
		objs[i].Doc = &Document{Kind: TemplateKind, Name: "s", Path: "cloudformation/s.yaml", Data: []byte("Resources: {}\n")}
	}
	var want bytes.Buffer
	if err := WriteStream(&want, objs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "stream.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WriteStream(f, objs); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("stream written to a file differs:\n%s", lineDiff(want.String(), string(got)))
	}

	// Through a pipe, which takes part of a large write at a time.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	read := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		read <- b
	}()
	err = WriteStream(w, objs)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := <-read; !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("stream written to a pipe differs:\n%s", lineDiff(want.String(), string(got)))
	}
	r.Close()
}

// TestWriteStreamClosedFile checks that an error writing a file is
// reported.
func TestWriteStreamClosedFile(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	defer w.Close()
	if err := WriteStream(w, preEncoded(t, manyObjects(2*streamChunk))); err == nil {
		t.Fatal("WriteStream to a pipe without a reader succeeded")
	}
}

// TestAdvance checks dropping the bytes a vectored write took.
func TestAdvance(t *testing.T) {
	bufs := func() [][]byte { return [][]byte{[]byte("ab"), []byte("cde"), []byte("f")} }
	for n, want := range []string{"abcdef", "bcdef", "cdef", "def", "ef", "f", ""} {
		var got []byte
		for _, b := range advance(bufs(), n) {
			got = append(got, b...)
		}
		if string(got) != want {
			t.Errorf("advance(%d) leaves %q, want %q", n, got, want)
		}
	}
}

// TestWriteStreamStdoutSIGPIPE checks that a stream written to standard
// output whose reader has gone ends the program with SIGPIPE, as any
// write to it does (skyc render | head), rather than with an error.
func TestWriteStreamStdoutSIGPIPE(t *testing.T) {
	if os.Getenv("SKYC_TEST_SIGPIPE_CHILD") != "" {
		objs := preEncoded(t, manyObjects(4*streamChunk))
		err := WriteStream(os.Stdout, objs)
		fmt.Fprintf(os.Stderr, "WriteStream returned %v\n", err)
		os.Exit(0)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteStreamStdoutSIGPIPE$")
	cmd.Env = append(os.Environ(), "SKYC_TEST_SIGPIPE_CHILD=1")
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	w.Close()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
		t.Fatalf("child ended with %v (stderr %q), want SIGPIPE", err, stderr.String())
	}
}
