package starproto

import "testing"

func TestMap(t *testing.T) {
	cases := map[string]string{
		"set get len in": `
m = meta.ObjectMeta()
m.labels["b"] = "2"
m.labels["a"] = "1"
assert.eq(len(m.labels), 2)
assert.eq(m.labels["a"], "1")
assert.true("a" in m.labels)
assert.true("z" not in m.labels)
assert.true(1 not in m.labels)
assert.fails(lambda: m.labels["z"], 'key "z" not in map<string, string>')
assert.fails(lambda: m.labels[1], "ObjectMeta.labels: key 1: got int, want string")
`,
		"sorted iteration": `
m = meta.ObjectMeta(labels = {"b": "2", "c": "3", "a": "1"})
assert.eq(m.labels.keys(), ["a", "b", "c"])
assert.eq(m.labels.values(), ["1", "2", "3"])
assert.eq(m.labels.items(), [("a", "1"), ("b", "2"), ("c", "3")])
assert.eq([k for k in m.labels], ["a", "b", "c"])
assert.eq(dict(m.labels), {"a": "1", "b": "2", "c": "3"})
n = test.Node(byNum = {10: "ten", 2: "two", -1: "minus one"})
assert.eq(n.byNum.keys(), [-1, 2, 10])
assert.eq(str(n.byNum), '{-1: "minus one", 2: "two", 10: "ten"}')
`,
		"get": `
m = meta.ObjectMeta(labels = {"a": "1"})
assert.eq(m.labels.get("a"), "1")
assert.eq(m.labels.get("z"), None)
assert.eq(m.labels.get("z", "d"), "d")
`,
		"update pop setdefault": `
m = meta.ObjectMeta(labels = {"a": "1"})
m.labels.update({"b": "2"}, c = "3")
m.labels.update([("d", "4")])
assert.eq(len(m.labels), 4)
assert.eq(m.labels.pop("d"), "4")
assert.eq(m.labels.pop("zz", "dflt"), "dflt")
assert.fails(lambda: m.labels.pop("zz"), 'pop: key "zz" not in ObjectMeta.labels')
assert.eq(m.labels.setdefault("a", "x"), "1")
assert.eq(m.labels.setdefault("e", "5"), "5")
assert.eq(m.labels.setdefault("f"), None)
assert.eq(m.labels.keys(), ["a", "b", "c", "e"])
assert.fails(lambda: m.labels.update({"g": 7}), 'ObjectMeta.labels\\["g"\\]: got int, want string')
`,
		"None deletes": `
m = meta.ObjectMeta(labels = {"a": "1", "b": None})
assert.eq(m.labels.keys(), ["a"])
m.labels["a"] = None
assert.true(not proto.has(m, "labels"))
`,
		"assignment replaces": `
m = meta.ObjectMeta(labels = {"a": "1"})
m.labels = {"x": "y"}
assert.eq(dict(m.labels), {"x": "y"})
other = meta.ObjectMeta(labels = m.labels)
other.labels["z"] = "1"
assert.true("z" not in m.labels)
m.labels.clear()
assert.eq(len(m.labels), 0)
assert.true(not m.labels)
`,
		"message values are live": `
n = test.Node()
n.byName["x"] = test.Node(name = "x")
n.byName["x"].name = "y"
assert.eq(n.byName["x"].name, "y")
n.byName.setdefault("z", test.Node()).count = 3
assert.eq(n.byName["z"].count, 3)
assert.fails(lambda: n.byName.update(w = 1), 'Node.byName\\["w"\\]: got int, want Node')
`,
		"equality": `
assert.eq(meta.ObjectMeta(labels = {"a": "1"}).labels, meta.ObjectMeta(labels = {"a": "1"}).labels)
assert.ne(meta.ObjectMeta(labels = {"a": "1"}).labels, meta.ObjectMeta(labels = {"a": "2"}).labels)
assert.ne(meta.ObjectMeta(labels = {"a": "1"}).labels, meta.ObjectMeta(labels = {"b": "1"}).labels)
assert.ne(meta.ObjectMeta(labels = {"a": "1"}).labels, meta.ObjectMeta().labels)
`,
		"kwargs expansion": `
def f(**kw):
    return kw
assert.eq(f(**meta.ObjectMeta(labels = {"a": "1"}).labels), {"a": "1"})
`,
		"frozen": `
m = meta.ObjectMeta(labels = {"a": "1"})
freeze(m)
def set():
    m.labels["b"] = "2"
assert.fails(set, 'cannot set ObjectMeta.labels\\["b"\\]: message is frozen')
def delete():
    m.labels["a"] = None
assert.fails(delete, 'cannot delete ObjectMeta.labels\\["a"\\]: message is frozen')
assert.fails(lambda: m.labels.update(b = "2"), "message is frozen")
assert.fails(lambda: m.labels.pop("a"), "cannot pop from ObjectMeta.labels: message is frozen")
assert.fails(lambda: m.labels.clear(), "cannot clear ObjectMeta.labels: message is frozen")
assert.eq(m.labels.get("a"), "1")
assert.eq(m.labels.setdefault("a", "x"), "1")
`,
		"methods": `
assert.eq(dir(meta.ObjectMeta().labels), ["clear", "get", "items", "keys", "pop", "setdefault", "update", "values"])
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := execBoth(t, src); err != nil {
				t.Fatal(errText(err))
			}
		})
	}
}
