package manifest

import (
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v2"
)

// keyLess reports whether mapping key a is emitted before key b.
//
// It is the order go.yaml.in/yaml/v2 (and so sigs.k8s.io/yaml and kubectl)
// uses for string keys of a Go map: runes are compared one by one up to the
// first difference; two letters compare by code point, and a letter sorts
// after a non-letter; where neither is a letter, the digit runs that start
// there compare as numbers ("a9" < "a10"), the shorter run first on a tie
// ("a1" < "a01"), then by code point. Inside a number whose earlier digits
// are not all zero, a '0' is an ordinary digit. A string that is a prefix of
// another sorts first.
//
// This order is not transitive on some key sets that mix digit runs with
// leading zeros and letters ("9Z" < "09" < "99z" < "9Z"); yaml.v2's output
// for those depends on Go's map iteration order. sortItems settles them
// deterministically.
//
// encodeTree builds mappings already in this order, so that the YAML emitter,
// which keeps the order of a yaml.MapSlice, produces the same bytes as the
// reference path that marshals a Go map.
func keyLess(a, b string) bool {
	// Fast path for the common case: ASCII keys that first differ in two
	// letters, or where one is a prefix of the other.
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] && a[i] < utf8RuneSelf {
		i++
	}
	if i == n {
		// The common prefix is ASCII, so it is a prefix in runes too.
		return len(a) < len(b)
	}
	if a[i] < utf8RuneSelf && b[i] < utf8RuneSelf && isASCIILetter(a[i]) && isASCIILetter(b[i]) {
		return a[i] < b[i]
	}
	return keyLessRunes([]rune(a), []rune(b))
}

const utf8RuneSelf = 0x80

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// keyLessRunes is keyLess on decoded runes, the general case.
func keyLessRunes(ar, br []rune) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		aLetter, bLetter := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		switch {
		case aLetter && bLetter:
			return ar[i] < br[i]
		case aLetter || bLetter:
			return bLetter
		}
		// Neither is a letter: compare the digit runs starting at i as
		// numbers. A zero is significant when a non-zero digit precedes it
		// within the same run, which starting both numbers at 1 achieves.
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai := i
		for ; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		bi := i
		for ; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// keyCompare is keyLess as a three-way comparison for the slices package.
func keyCompare(a, b string) int {
	switch {
	case a == b:
		return 0
	case keyLess(a, b):
		return -1
	case keyLess(b, a):
		return +1
	}
	return 0
}

// sortItems puts the items of a mapping into emission order. It first sorts
// by bytes so that the result does not depend on the order the items came in
// (a Go map's iteration order), even for key sets where keyLess is not a strict
// weak order.
func sortItems(items yaml.MapSlice) {
	if len(items) < 2 {
		return
	}
	slices.SortFunc(items, func(x, y yaml.MapItem) int {
		return strings.Compare(x.Key.(string), y.Key.(string))
	})
	slices.SortStableFunc(items, func(x, y yaml.MapItem) int {
		return keyCompare(x.Key.(string), y.Key.(string))
	})
}
