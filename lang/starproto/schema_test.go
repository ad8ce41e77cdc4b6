package starproto

import "testing"

// TestTypes covers what the Kubernetes types do not use: enums, oneofs,
// proto2 defaults, reserved words, bytes, floats, unsigned ints, nested
// types and recursive messages.
func TestTypes(t *testing.T) {
	cases := map[string]string{
		"defaults": `
n = test.Node()
assert.eq(n.count, 7)
assert.eq(n.color, test.Color.GREEN)
assert.true(not proto.has(n, "count"))
proto.set_defaults(n)
assert.true(proto.has(n, "count"))
assert.eq(n.count, 7)
`,
		"enums": `
n = test.Node(color = test.Color.BLUE)
assert.eq(n.color, test.Color.BLUE)
assert.eq(n.color.name, "BLUE")
assert.eq(n.color.value, 2)
assert.eq(str(n.color), "<skyc.test.v1.Color BLUE=2>")
assert.eq(type(n.color), "skyc.test.v1.Color")
n.color = "RED"
assert.eq(n.color, test.Color.RED)
n.color = 1
assert.eq(n.color, test.Color.GREEN)
assert.eq({test.Color.RED: 1}[test.Color.RED], 1)
assert.eq(dir(test.Color), ["BLUE", "GREEN", "RED"])
assert.fails(lambda: test.Node(color = "PURPLE"), 'Node.color: "PURPLE" is not a value of Color')
assert.fails(lambda: test.Node(color = "GREN"), 'Node.color: "GREN" is not a value of Color \\(did you mean "GREEN"\\?\\)')
assert.fails(lambda: test.Node(color = 9), "Node.color: 9 is not a value of Color")
assert.fails(lambda: test.Node(color = 1.0), "Node.color: got float, want Color")
assert.fails(lambda: test.Color.PURPLE, 'enum Color has no value "PURPLE"')
`,
		"oneof": `
n = test.Node(a = "x", b = 2)
assert.true(not proto.has(n, "a"))
assert.eq(n.b, 2)
n.a = "y"
assert.true(not proto.has(n, "b"))
`,
		"reserved word": `
n = test.Node(from_ = "x")
assert.eq(n.from_, "x")
n.from_ = "y"
assert.eq(getattr(n, "from"), "y")
assert.true("from_" in dir(n))
assert.eq(str(n), 'test.v1.Node(from_="y")')
`,
		"scalar kinds": `
n = test.Node(data = "abc", ratio = 1, small = 4294967295)
assert.eq(n.data, "abc")
n.data = b"\x00\x01"
assert.eq(n.data, "\x00\x01")
assert.eq(n.ratio, 1.0)
assert.eq(type(n.ratio), "float")
assert.fails(lambda: test.Node(small = -1), "Node.small: -1 is out of range for uint32")
assert.fails(lambda: test.Node(small = 4294967296), "Node.small: 4294967296 is out of range for uint32")
assert.fails(lambda: test.Node(nums = [1 << 63]), "Node.nums\\[0\\]: 9223372036854775808 is out of range for int64")
assert.fails(lambda: test.Node(ratio = "1"), 'Node.ratio: got string "1", want double')
`,
		"nested types": `
n = test.Node(inner = test.Node.Inner(on = True))
assert.eq(n.inner.on, True)
assert.eq(dir(test.Node), ["Inner"])
assert.fails(lambda: test.Node.Outer, 'Protobuf type "skyc.test.v1.Node.Outer" not found')
`,
		"cycles are refused": `
a = test.Node(name = "a")
def self_child():
    a.child = a
assert.fails(self_child, "Node.child: the message would contain itself")
b = test.Node(name = "b", child = a)
def loop():
    a.children.append(b)
assert.fails(loop, "Node.children\\[0\\]: the message would contain itself")
def loop_map():
    a.byName["b"] = b
assert.fails(loop_map, 'Node.byName\\["b"\\]: the message would contain itself')
def loop_deep():
    a.child = test.Node(children = [test.Node(byName = {"x": b})])
assert.fails(loop_deep, "Node.child: the message would contain itself")
def loop_list():
    a.children = [test.Node(), b]
assert.fails(loop_list, "Node.children\\[1\\]: the message would contain itself")
# Sharing without a cycle is fine: a DAG.
c = test.Node(name = "c")
d = test.Node(child = c, children = [c, c])
c.name = "c2"
assert.eq(d.children[1].name, "c2")
assert.eq(str(d), 'test.v1.Node(child=Node(name="c2"), children=[Node(name="c2"), Node(name="c2")])')
# A detached child stored into its own parent's subtree.
e = test.Node()
f = e.child
def loop_detached():
    f.child = e
assert.fails(loop_detached, "Node.child: the message would contain itself")
`,
		"duration boxing": `
t = meta.Timeouts(idle = "90s", steps = ["1s", "1h30m"])
assert.eq(str(t.idle), "1m30s")
assert.eq(t.idle.duration, 90000000000)
assert.eq([str(s) for s in t.steps], ["1s", "1h30m0s"])
assert.eq(proto.to_dict(t), {"idle": "1m30s", "steps": ["1s", "1h30m0s"]})
assert.fails(lambda: meta.Timeouts(idle = "5 minutes"), 'Timeouts.idle: "5 minutes" is not a duration such as "30s", "5m" or "1h30m": time: ')
assert.fails(lambda: meta.Timeouts(idle = 5), 'Timeouts.idle: got int, want Duration: a string such as "30s", "5m" or "1h30m"')
assert.fails(lambda: meta.Timeouts(steps = ["1s", 2]), "Timeouts.steps\\[1\\]: got int, want Duration")
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := execTest(t, src); err != nil {
				t.Fatal(errText(err))
			}
		})
	}
}
