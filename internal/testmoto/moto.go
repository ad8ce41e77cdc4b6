package testmoto

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Server is a running moto_server.
type Server struct {
	// Endpoint is its URL, http://127.0.0.1:<port>.
	Endpoint string

	cmd  *exec.Cmd
	log  *os.File
	done chan struct{}
	err  error
}

// Options configure a server. The zero value uses moto's default account.
type Options struct {
	// AccountID is the account every request runs in (MOTO_ACCOUNT_ID).
	AccountID string
	// LogDir receives moto.log; empty means the system's temporary
	// directory.
	LogDir string
}

// Start runs moto_server on a free loopback port and waits until it
// answers, or until ctx ends.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not installed: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := opts.LogDir
	if dir == "" {
		dir = os.TempDir()
	}
	log, err := os.CreateTemp(dir, "moto-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing")
	if opts.AccountID != "" {
		cmd.Env = append(cmd.Env, "MOTO_ACCOUNT_ID="+opts.AccountID)
	}
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting moto_server: %w", err)
	}
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.done)
	}()
	if err := s.wait(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// freePort asks the kernel for a free port of 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// wait polls moto's own API until it answers.
func (s *Server) wait(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(s.Endpoint + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("moto_server exited before answering (%v):\n%s", s.err, s.Tail())
		case <-ctx.Done():
			return fmt.Errorf("moto_server did not answer on %s: %w\n%s", s.Endpoint, ctx.Err(), s.Tail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop terminates the server, killing it after five seconds, and removes
// its log.
func (s *Server) Stop() {
	select {
	case <-s.done:
	default:
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	s.log.Close()
	os.Remove(s.log.Name())
}

// Tail returns the last lines of the server's output.
func (s *Server) Tail() string {
	b, err := os.ReadFile(s.log.Name())
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", filepath.Base(s.log.Name()), err)
	}
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
