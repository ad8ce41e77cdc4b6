package lang

// EvaluatedFile is a file as an evaluation used it (see
// Runtime.Evaluated).
type EvaluatedFile struct {
	// Label is the file's canonical label.
	Label string
	// Source is the text that was evaluated. It must not be modified.
	Source []byte
	// Loads are the canonical labels the file's load statements named,
	// once each, in the order they ran. For a file evaluated without
	// error they are all of its load statements' labels: loads are
	// top-level statements, which run in order until one fails. It must
	// not be modified.
	Loads []string
}

// Evaluated returns the module with the given label, as the runtime
// holds it now, and every module it loaded, directly or not (standard
// library included), each once, the module itself first: the texts that
// went into its globals, and the loads of each. A caller that keys a
// result by the files it was computed from (skyc render's cache) learns
// them here after the evaluation instead of parsing every file first.
//
// Unlike Source and Dependencies, which look modules up by label, it
// follows the modules that each load returned: a module released and
// evaluated again, perhaps from a changed file, after label loaded it
// does not stand in for the one label's evaluation used.
//
// ok is false if the module is not loaded, if its evaluation or that of
// a module it loaded failed or has not finished, or if two modules of one
// label took part (one released and evaluated again in between).
func (r *Runtime) Evaluated(label string) (files []EvaluatedFile, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	root, found := r.modules[label]
	if !found {
		return nil, false
	}
	seen := map[string]*module{}
	var visit func(m *module) bool
	visit = func(m *module) bool {
		if prev, dup := seen[m.label]; dup {
			return prev == m
		}
		select {
		case <-m.done:
		default:
			return false
		}
		if m.err != nil || len(m.deps) != len(m.loads) {
			return false
		}
		seen[m.label] = m
		files = append(files, EvaluatedFile{Label: m.label, Source: m.src, Loads: m.loads[:len(m.loads):len(m.loads)]})
		for i, d := range m.deps {
			if d.label != m.loads[i] || !visit(d) {
				return false
			}
		}
		return true
	}
	if !visit(root) {
		return nil, false
	}
	return files, true
}
