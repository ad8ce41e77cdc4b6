package lang

// Release drops the module with the given label from the runtime's cache
// once it has been evaluated, keeping its source for diagnostics. A
// render of thousands of service files calls it after a service's last
// evaluation, so that their compiled programs and globals do not all stay
// in memory to the end. A later load of the label evaluates the file
// again. Releasing a module still being evaluated, or one that is not
// cached, does nothing.
func (r *Runtime) Release(label string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.modules[label]
	if !ok {
		return
	}
	select {
	case <-m.done:
		delete(r.modules, label)
	default:
	}
}
