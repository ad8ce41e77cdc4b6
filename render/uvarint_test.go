package render

import (
	"context"
	"encoding/binary"
	"testing"
)

// TestUvarintLen: encodeObjects sizes payloads exactly with uvarintLen.
func TestUvarintLen(t *testing.T) {
	for _, x := range []uint64{0, 1, 127, 128, 300, 16383, 16384, 1<<21 - 1, 1 << 21, 1<<63 - 1, 1 << 63, ^uint64(0)} {
		if got, want := uvarintLen(x), len(binary.AppendUvarint(nil, x)); got != want {
			t.Errorf("uvarintLen(%d) = %d, want %d", x, got, want)
		}
	}
}

// TestPayloadExactSize: a job's payload is allocated at its size, not
// grown (which copied every document once more) nor larger.
func TestPayloadExactSize(t *testing.T) {
	root := repo(t, map[string]string{
		"lib/team.sky":     "TEAM = \"web\"\n",
		"services/api.sky": sourceTestService,
	})
	ctx := context.Background()
	r, err := New(ctx, Options{Root: root}, root)
	if err != nil {
		t.Fatal(err)
	}
	jr := r.renderOne(ctx, job{env: r.envs[0], label: "services/api.sky", explicit: true})
	if len(jr.diags) > 0 || len(jr.objects) < 3 {
		t.Fatalf("%d objects, diagnostics %v", len(jr.objects), jr.diags)
	}
	payload, ok := encodeJob(&jr)
	if !ok {
		t.Fatal("not encoded")
	}
	if len(payload) != cap(payload) {
		t.Errorf("payload of %d bytes in a buffer of %d", len(payload), cap(payload))
	}
	if _, err := decodeJob(payload, job{env: r.envs[0], label: "services/api.sky"}); err != nil {
		t.Fatal(err)
	}
}
