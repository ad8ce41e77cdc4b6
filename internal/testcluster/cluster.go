package testcluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Options configure a cluster. The zero value is ready to use.
type Options struct {
	// BinDir holds the etcd and kube-apiserver binaries; empty means
	// [FindBinDir].
	BinDir string

	// StartTimeout bounds how long Start waits for etcd and kube-apiserver
	// to become ready; zero means [DefaultStartTimeout].
	StartTimeout time.Duration

	// APIServerArgs are appended to the kube-apiserver flags this package
	// sets, so they can override them (e.g. "--feature-gates=...").
	APIServerArgs []string
}

// DefaultStartTimeout is the startup bound used when Options.StartTimeout
// is zero. A cold kube-apiserver is ready in a few seconds; the margin is for
// a machine busy with a parallel build.
const DefaultStartTimeout = 2 * time.Minute

// ServiceClusterIPRange is the --service-cluster-ip-range of every cluster:
// Services asking for a specific clusterIP must pick one from it.
const ServiceClusterIPRange = "10.96.0.0/16"

// ServiceAccountIssuer is the --service-account-issuer of every cluster.
const ServiceAccountIssuer = "https://kubernetes.default.svc.cluster.local"

// startAttempts is how often Start tries again with fresh ports when
// another process took one between picking and binding it.
const startAttempts = 3

// Cluster is a running etcd and kube-apiserver pair. Its methods are safe
// for concurrent use.
type Cluster struct {
	dir        string
	pki        *pki
	host       string
	kubeconfig string
	etcd       *process
	apiserver  *process

	stopOnce sync.Once
	stopErr  error
}

// Start starts a cluster with the zero [Options]. See [Options.Start].
func Start(ctx context.Context) (*Cluster, error) {
	return Options{}.Start(ctx)
}

// Start starts etcd and kube-apiserver on free loopback ports and returns
// once /readyz answers ok. ctx and o.StartTimeout bound the startup only: the
// cluster runs until [Cluster.Stop]. On error nothing is left running and the
// error quotes the end of the failing server's log.
func (o Options) Start(ctx context.Context) (*Cluster, error) {
	binDir := o.BinDir
	if binDir == "" {
		d, err := FindBinDir()
		if err != nil {
			return nil, err
		}
		binDir = d
	} else {
		for _, name := range []string{etcdBinary, apiserverBinary} {
			if err := checkExecutable(filepath.Join(binDir, name)); err != nil {
				return nil, fmt.Errorf("%s in %s: %w", name, binDir, err)
			}
		}
	}
	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("startup took longer than %v", timeout))
	defer cancel()

	dir, err := os.MkdirTemp("", "skyc-testcluster-")
	if err != nil {
		return nil, fmt.Errorf("creating the cluster directory: %w", err)
	}
	c := &Cluster{dir: dir, kubeconfig: filepath.Join(dir, "kubeconfig")}
	fail := func(err error) (*Cluster, error) {
		c.Stop()
		return nil, err
	}
	pkiDir := filepath.Join(dir, "pki")
	if err := os.Mkdir(pkiDir, 0o700); err != nil {
		return fail(fmt.Errorf("creating the pki directory: %w", err))
	}
	if c.pki, err = writePKI(pkiDir); err != nil {
		return fail(err)
	}

	for attempt := 1; ; attempt++ {
		err := c.startServers(ctx, binDir, o.APIServerArgs)
		if err == nil {
			break
		}
		retry := attempt < startAttempts && ctx.Err() == nil &&
			(c.etcd != nil && c.etcd.portInUse() || c.apiserver != nil && c.apiserver.portInUse())
		c.stopServers()
		if !retry {
			return fail(err)
		}
		if err := os.RemoveAll(filepath.Join(dir, "etcd")); err != nil {
			return fail(fmt.Errorf("clearing etcd data for a retry: %w", err))
		}
	}
	if err := c.WriteKubeconfig(c.kubeconfig); err != nil {
		return fail(err)
	}
	return c, nil
}

// startServers starts etcd, waits for it, then kube-apiserver, and waits
// for that.
func (c *Cluster) startServers(ctx context.Context, binDir string, extra []string) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.etcd, err = startProcess("etcd", filepath.Join(binDir, etcdBinary), []string{
		"--name=skyc-test",
		"--data-dir=" + filepath.Join(c.dir, "etcd"),
		"--listen-client-urls=" + clientURL,
		"--advertise-client-urls=" + clientURL,
		"--listen-peer-urls=" + peerURL,
		"--initial-advertise-peer-urls=" + peerURL,
		"--initial-cluster=skyc-test=" + peerURL,
		"--initial-cluster-state=new",
		// The data dies with the test; durability only costs time.
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}, filepath.Join(c.dir, "etcd.log"))
	if err != nil {
		return err
	}
	plain := &http.Client{}
	if err := c.etcd.waitReady(ctx, func(ctx context.Context) error {
		return get(ctx, plain, clientURL+"/health", "", `"health":"true"`)
	}); err != nil {
		return err
	}

	c.host = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	args := []string{
		"--etcd-servers=" + clientURL,
		"--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]),
		// With no address given it looks for a non-loopback interface; with
		// loopback it must not publish the address as the kubernetes
		// Service's endpoints, which may not be loopback.
		"--advertise-address=127.0.0.1",
		"--endpoint-reconciler-type=none",
		"--cert-dir=" + filepath.Join(c.dir, "pki"),
		"--tls-cert-file=" + c.pki.servingCert,
		"--tls-private-key-file=" + c.pki.servingKey,
		"--token-auth-file=" + c.pki.tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=" + ServiceAccountIssuer,
		"--service-account-key-file=" + c.pki.saPub,
		"--service-account-signing-key-file=" + c.pki.saKey,
		"--service-cluster-ip-range=" + ServiceClusterIPRange,
		"--allow-privileged=true",
		"--profiling=false",
	}
	c.apiserver, err = startProcess("kube-apiserver", filepath.Join(binDir, apiserverBinary),
		append(args, extra...), filepath.Join(c.dir, "kube-apiserver.log"))
	if err != nil {
		return err
	}
	client, err := c.httpClient()
	if err != nil {
		return err
	}
	return c.apiserver.waitReady(ctx, func(ctx context.Context) error {
		return get(ctx, client, c.host+"/readyz", c.pki.adminToken, "ok")
	})
}

// get succeeds when url answers 200 with a body containing want.
func get(ctx context.Context, client *http.Client, url, token, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// httpClient trusts the cluster's CA.
func (c *Cluster) httpClient() (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.pki.caPEM) {
		return nil, errors.New("loading the cluster CA: no certificate")
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}, nil
}

// stopServers stops kube-apiserver, then etcd.
func (c *Cluster) stopServers() {
	if c.apiserver != nil {
		c.apiserver.stop(5 * time.Second)
		c.apiserver = nil
	}
	if c.etcd != nil {
		c.etcd.stop(5 * time.Second)
		c.etcd = nil
	}
}

// Stop kills kube-apiserver and etcd and removes the cluster's directory.
// It is safe to call more than once; later calls return the first result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		c.stopServers()
		if err := os.RemoveAll(c.dir); err != nil {
			c.stopErr = fmt.Errorf("removing the cluster directory: %w", err)
		}
	})
	return c.stopErr
}

// Host returns the API server's base URL, https://127.0.0.1:PORT.
func (c *Cluster) Host() string { return c.host }

// RESTConfig returns a fresh client configuration for the cluster's admin
// user (group system:masters), trusting the cluster's CA. Callers may change
// the copy they get.
func (c *Cluster) RESTConfig() *rest.Config {
	return &rest.Config{
		Host:        c.host,
		BearerToken: c.pki.adminToken,
		TLSClientConfig: rest.TLSClientConfig{
			CAData: append([]byte(nil), c.pki.caPEM...),
		},
		// Tests send bursts; nothing here needs protecting from them.
		QPS:   200,
		Burst: 400,
	}
}

// KubeconfigPath returns the path of a kubeconfig for the cluster's admin
// user, written at startup and removed by Stop.
func (c *Cluster) KubeconfigPath() string { return c.kubeconfig }

// WriteKubeconfig writes a kubeconfig for the cluster's admin user to path,
// with the context "skyc-test" selected, for kubectl and other clients.
func (c *Cluster) WriteKubeconfig(path string) error {
	const name = "skyc-test"
	cfg := clientcmdapi.Config{
		Clusters: map[string]*clientcmdapi.Cluster{name: {
			Server:                   c.host,
			CertificateAuthorityData: c.pki.caPEM,
		}},
		AuthInfos: map[string]*clientcmdapi.AuthInfo{adminUser: {
			Token: c.pki.adminToken,
		}},
		Contexts: map[string]*clientcmdapi.Context{name: {
			Cluster:  name,
			AuthInfo: adminUser,
		}},
		CurrentContext: name,
	}
	if err := clientcmd.WriteToFile(cfg, path); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", path, err)
	}
	return nil
}

// KillAPIServer kills kube-apiserver at once (SIGKILL), as a crashed or
// lost server, and waits for it to exit; etcd keeps running. Clients then
// find the port closed. It is for tests of clients under failure; [Stop]
// still cleans up afterwards.
func (c *Cluster) KillAPIServer() {
	if c.apiserver == nil {
		return
	}
	if done, _ := c.apiserver.exited(); done {
		return
	}
	_ = c.apiserver.cmd.Process.Kill()
	<-c.apiserver.done
}
