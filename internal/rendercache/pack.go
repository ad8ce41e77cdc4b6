package rendercache

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"slices"
	"sync"
	"unsafe"
)

// A pack is
//
//	magic
//	jobs loads stats        the number of records of each kind, uvarints
//	record*
//	CRC-32C (Castagnoli) of everything before, 4 bytes little-endian
//
// with records
//
//	'J' slot key payload            a job
//	'L' label hash n label*n        the loads of a file
//	'S' label size mtime ctime ino dev hash    the stat of a file
//
// where strings and payloads are a uvarint length and the bytes, keys and
// hashes 32 bytes, numbers varints. Records are written in sorted order
// so that the same state gives the same bytes.
const packMagic = "skyc render cache pack 2\n"

// castagnoli is made on first use, not in every process.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

var errCorrupt = errors.New("corrupt render cache pack")

// encodePack writes the records (all, or the dirty ones) as a pack.
// After a small change only the few dirty records are listed and sorted,
// not the tables: the tables of a repository of thousands of files are
// thousands of names each.
func (c *Cache) encodePack(w io.Writer, all bool) error {
	crc := crc32.New(castagnoli())
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	var scratch [binary.MaxVarintLen64]byte
	str := func(s []byte) {
		bw.Write(scratch[:binary.PutUvarint(scratch[:], uint64(len(s)))])
		bw.Write(s)
	}
	num := func(n int64) { bw.Write(scratch[:binary.PutVarint(scratch[:], n)]) }
	unum := func(n uint64) { bw.Write(scratch[:binary.PutUvarint(scratch[:], n)]) }

	var jobs, loads, stats []string
	if all {
		jobs, loads, stats = sortedKeys(c.jobs), sortedKeys(c.loads), sortedKeys(c.stats)
	} else {
		for id := range c.dirty {
			switch id.table {
			case 'J':
				if _, ok := c.jobs[id.name]; ok {
					jobs = append(jobs, id.name)
				}
			case 'L':
				if _, ok := c.loads[id.name]; ok {
					loads = append(loads, id.name)
				}
			case 'S':
				if _, ok := c.stats[id.name]; ok {
					stats = append(stats, id.name)
				}
			}
		}
		slices.Sort(jobs)
		slices.Sort(loads)
		slices.Sort(stats)
	}

	bw.WriteString(packMagic)
	unum(uint64(len(jobs)))
	unum(uint64(len(loads)))
	unum(uint64(len(stats)))
	for _, slot := range jobs {
		j := c.jobs[slot]
		bw.WriteByte('J')
		str([]byte(slot))
		bw.Write(j.key[:])
		str(j.payload)
	}
	for _, label := range loads {
		l := c.loads[label]
		bw.WriteByte('L')
		str([]byte(label))
		bw.Write(l.hash[:])
		unum(uint64(len(l.labels)))
		for _, x := range l.labels {
			str([]byte(x))
		}
	}
	for _, label := range stats {
		s := c.stats[label]
		bw.WriteByte('S')
		str([]byte(label))
		num(s.id.size)
		num(s.id.mtime)
		num(s.id.ctime)
		unum(s.id.ino)
		unum(s.id.dev)
		bw.Write(s.hash[:])
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], crc.Sum32())
	_, err := w.Write(sum[:])
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decodePack applies the records of a pack to the cache. Payloads, and
// the names and labels of the records, alias data, which is never
// modified (readPack maps packs, which are never written in place, and
// never unmaps them): a warm render opens thousands of records, and
// copying each name cost an allocation.
func (c *Cache) decodePack(data []byte) error {
	if len(data) < len(packMagic)+4 || string(data[:len(packMagic)]) != packMagic {
		return errCorrupt
	}
	body := data[:len(data)-4]
	sum := binary.LittleEndian.Uint32(data[len(data)-4:])
	// The checksum of a large pack (milliseconds for tens of megabytes) is
	// computed on another CPU while the records are read; the records of
	// a pack that turns out corrupt are applied all the same, but Open
	// then empties the cache. Reading them is safe whatever the bytes.
	crcOK := make(chan bool, 1)
	if len(body) < 1<<20 {
		crcOK <- crc32.Checksum(body, castagnoli()) == sum
	} else {
		go func() { crcOK <- crc32.Checksum(body, castagnoli()) == sum }()
	}
	err := c.decodeRecords(body)
	if !<-crcOK {
		return errCorrupt
	}
	return err
}

// decodeRecords applies the records of a pack's body to the cache.
func (c *Cache) decodeRecords(body []byte) error {
	d := decoder{buf: body[len(packMagic):]}
	// The counts size the tables before the first pack fills them.
	jobs, loads, stats := d.uvarint(), d.uvarint(), d.uvarint()
	if d.err != nil || jobs+loads+stats > uint64(len(d.buf)) {
		return errCorrupt
	}
	if len(c.jobs) == 0 {
		c.jobs = make(map[string]jobRecord, jobs)
	}
	if len(c.loads) == 0 {
		c.loads = make(map[string]loadsRecord, loads)
	}
	if len(c.stats) == 0 {
		c.stats = make(map[string]statRecord, stats)
	}
	var arena []string // the loads' labels, in few allocations
	for len(d.buf) > 0 && d.err == nil {
		switch tag := d.byte(); tag {
		case 'J':
			slot := d.string()
			key := d.key()
			payload := d.bytes()
			c.jobs[slot] = jobRecord{key: key, payload: payload}
		case 'L':
			label := d.string()
			hash := d.key()
			n := d.uvarint()
			if n > uint64(len(d.buf)) {
				return errCorrupt
			}
			if uint64(cap(arena)-len(arena)) < n {
				arena = make([]string, 0, max(n, 1024))
			}
			start := len(arena)
			for i := uint64(0); i < n; i++ {
				arena = append(arena, d.string())
			}
			c.loads[label] = loadsRecord{hash: hash, labels: arena[start:len(arena):len(arena)]}
		case 'S':
			label := d.string()
			var s statRecord
			s.id.size = d.varint()
			s.id.mtime = d.varint()
			s.id.ctime = d.varint()
			s.id.ino = d.uvarint()
			s.id.dev = d.uvarint()
			s.hash = d.key()
			c.stats[label] = s
		default:
			return errCorrupt
		}
	}
	return d.err
}

// decoder reads the fields of pack records.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail() {
	d.err = errCorrupt
	d.buf = nil
}

func (d *decoder) byte() byte {
	if len(d.buf) < 1 {
		d.fail()
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.buf)) {
		d.fail()
		return nil
	}
	b := d.buf[:n:n]
	d.buf = d.buf[n:]
	return b
}

// string returns a string that aliases the buffer.
func (d *decoder) string() string {
	b := d.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (d *decoder) key() Key {
	var k Key
	if len(d.buf) < len(k) {
		d.fail()
		return k
	}
	copy(k[:], d.buf)
	d.buf = d.buf[len(k):]
	return k
}
