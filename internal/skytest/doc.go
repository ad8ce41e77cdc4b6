// Package skytest runs the tests of .sky code: skyc test.
//
// # Test files
//
// A test file is a .sky file whose name ends in _test.sky. It is
// evaluated like any other file of the repository (it may load() service
// files and libraries, and sees the standard library), with two more
// predeclared names: assert and render. Every function of the file whose
// name starts with test_ and that takes no parameters is a test; tests
// run in the order they are defined, each in a fresh thread, and a test
// fails at its first failed assertion or error.
//
// # assert
//
//	assert.eq(got, want)          equal by ==
//	assert.ne(got, want)          not equal
//	assert.true(x), assert.false(x)
//	assert.contains(container, x) x in container
//	assert.fails(fn, "regexp")    fn() fails with a message matching regexp
//	assert.fail("message")        fails unconditionally
//	assert.snapshot(x, "name")    x as YAML equals __snapshots__/name.yaml
//
// Every assertion takes an optional msg, shown with the failure. A
// failure points at the test's line; values too long for one line are
// shown as a diff of their pretty-printed forms, messages through
// proto.to_dict.
//
// # render
//
// render(path, env = None, vars = {}) renders a service file exactly as
// skyc render does, for one environment of skyc.yaml (env may be left
// out when there is only one), and returns a struct with objects (the
// rendered objects in canonical order, as frozen typed messages), kinds
// (their kinds, in the same order), yaml (the YAML stream skyc render
// prints) and find(kind, name = None). A path starting with // is
// relative to the repository root, any other to the test file.
//
// # Snapshots
//
// assert.snapshot compares the YAML of a render() result, of objects or
// of a string with the file __snapshots__/NAME.yaml next to the test
// file. With Options.Update (skyc test --update) a missing or different
// snapshot is written instead, and the test passes.
package skytest
