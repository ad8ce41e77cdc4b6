package starproto

import "testing"

func TestList(t *testing.T) {
	cases := map[string]string{
		"append extend len index": `
n = test.Node()
n.nums.append(1)
n.nums.extend([2, 3])
assert.eq(list(n.nums), [1, 2, 3])
assert.eq(len(n.nums), 3)
assert.eq(n.nums[0], 1)
assert.eq(n.nums[-1], 3)
`,
		"slices": `
n = test.Node(nums = [1, 2, 3, 4])
assert.eq(n.nums[1:], [2, 3, 4])
assert.eq(n.nums[::-1], [4, 3, 2, 1])
assert.eq(n.nums[::2], [1, 3])
assert.eq(n.nums[5:], [])
`,
		"insert pop remove index": `
n = test.Node(nums = [1, 2, 3])
n.nums.insert(0, 0)
n.nums.insert(-1, 9)
n.nums.insert(100, 10)
assert.eq(list(n.nums), [0, 1, 2, 9, 3, 10])
assert.eq(n.nums.pop(), 10)
assert.eq(n.nums.pop(0), 0)
assert.eq(n.nums.pop(-2), 9)
n.nums.remove(2)
assert.eq(list(n.nums), [1, 3])
assert.eq(n.nums.index(3), 1)
assert.fails(lambda: n.nums.index(7), "index: value not in Node.nums")
assert.fails(lambda: n.nums.remove(7), "remove: value not in Node.nums")
assert.fails(lambda: test.Node().nums.pop(), "pop: index -1 out of range for Node.nums of length 0")
`,
		"in and not in": `
n = test.Node(nums = [1, 2])
assert.true(2 in n.nums)
assert.true(7 not in n.nums)
assert.true("x" not in n.nums)
p = test.Node(children = [test.Node(name = "c")])
assert.true(test.Node(name = "c") in p.children)
assert.true(test.Node(name = "d") not in p.children)
`,
		"plus and augmented assignment": `
n = test.Node(nums = [1, 2])
assert.eq(n.nums + [5], [1, 2, 5])
assert.eq([0] + n.nums, [0, 1, 2])
assert.eq(n.nums + (3,), [1, 2, 3])
assert.eq(n.nums + n.nums, [1, 2, 1, 2])
n.nums += [6]
assert.eq(list(n.nums), [1, 2, 6])
assert.fails(lambda: n.nums + 1, "unknown binary op")
`,
		"set index and type checks": `
n = test.Node(nums = [1, 2, 3])
n.nums[0] = 10
n.nums[-1] = 30
assert.eq(list(n.nums), [10, 2, 30])
assert.fails(lambda: n.nums.append("x"), 'Node.nums\\[3\\]: got string "x", want int64')
def set_bad():
    n.nums[1] = 1.5
assert.fails(set_bad, "Node.nums\\[1\\]: got float, want int64")
def extend_bad():
    n.nums.extend([4, "five"])
assert.fails(extend_bad, 'Node.nums\\[4\\]: got string "five", want int64')
assert.eq(list(n.nums), [10, 2, 30])
`,
		"iteration": `
n = test.Node(nums = [1, 2, 3])
total = 0
for x in n.nums:
    total += x
    n.nums.append(x)
assert.eq(total, 6)
assert.eq(list(n.nums), [1, 2, 3, 1, 2, 3])
assert.eq(sorted(test.Node(nums = [3, 1, 2]).nums), [1, 2, 3])
assert.eq([x * 2 for x in test.Node(nums = [1, 2]).nums], [2, 4])
`,
		"assignment from tuple, range, set and another field": `
n = test.Node()
n.nums = (1, 2)
assert.eq(list(n.nums), [1, 2])
n.nums = range(3)
assert.eq(list(n.nums), [0, 1, 2])
m = test.Node(nums = n.nums)
m.nums.append(3)
assert.eq(len(n.nums), 3)
n.nums.extend(n.nums)
assert.eq(list(n.nums), [0, 1, 2, 0, 1, 2])
n.nums = []
assert.true(not proto.has(n, "nums"))
`,
		"clear": `
n = test.Node(nums = [1])
n.nums.clear()
assert.eq(len(n.nums), 0)
assert.true(not proto.has(n, "nums"))
`,
		"equality": `
assert.eq(test.Node(nums = [1, 2]).nums, test.Node(nums = [1, 2]).nums)
assert.ne(test.Node(nums = [1, 2]).nums, test.Node(nums = [2, 1]).nums)
assert.ne(test.Node(nums = [1, 2]).nums, [1, 2])
assert.eq(list(test.Node(nums = [1, 2]).nums), [1, 2])
`,
		"message elements are live": `
n = test.Node(children = [test.Node(name = "a")])
n.children[0].name = "b"
assert.eq(n.children[0].name, "b")
for c in n.children:
    c.count = 1
assert.eq(n.children[0].count, 1)
popped = n.children.pop()
popped.name = "c"
assert.eq(len(n.children), 0)
`,
		"enum elements": `
n = test.Node(colors = [test.Color.RED, "BLUE", 1])
assert.eq(list(n.colors), [test.Color.RED, test.Color.BLUE, test.Color.GREEN])
assert.eq(str(n), "test.v1.Node(colors=[Color.RED, Color.BLUE, Color.GREEN])")
`,
		"str": `
assert.eq(str(test.Node(nums = [1, 2]).nums), "[1, 2]")
assert.eq(str(test.Node(children = [test.Node(name = "x")]).children), '[Node(name="x")]')
assert.eq(str(test.Node().nums), "[]")
`,
		"methods": `
assert.eq(dir(test.Node().nums), ["append", "clear", "extend", "index", "insert", "pop", "remove"])
assert.fails(lambda: test.Node().nums.sort(), "has no .sort field or method")
`,
		"frozen": `
n = test.Node(nums = [1, 2])
freeze(n)
assert.fails(lambda: n.nums.append(3), "cannot append to Node.nums: message is frozen")
assert.fails(lambda: n.nums.extend([3]), "cannot extend Node.nums: message is frozen")
assert.fails(lambda: n.nums.insert(0, 3), "cannot insert into Node.nums: message is frozen")
assert.fails(lambda: n.nums.pop(), "cannot pop from Node.nums: message is frozen")
assert.fails(lambda: n.nums.remove(1), "cannot remove from Node.nums: message is frozen")
assert.fails(lambda: n.nums.clear(), "cannot clear Node.nums: message is frozen")
assert.eq(list(n.nums), [1, 2])
l = test.Node(nums = [1]).nums
freeze(l)
assert.fails(lambda: l.append(2), "message is frozen")
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
