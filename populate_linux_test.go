//go:build linux

package imaplib

import (
	"bytes"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ppResident reports, page by page, whether region is resident (mincore).
func ppResident(t *testing.T, region []byte) []bool {
	t.Helper()
	vec := make([]byte, (len(region)+pageSize-1)/pageSize)
	_, _, errno := syscall.Syscall(syscall.SYS_MINCORE, uintptr(unsafe.Pointer(&region[0])), uintptr(len(region)), uintptr(unsafe.Pointer(&vec[0])))
	require.Zero(t, errno, "mincore")
	out := make([]bool, len(vec))
	for i, v := range vec {
		out[i] = v&1 == 1
	}
	return out
}

// ppMap maps pages fresh anonymous pages, none of them resident yet.
func ppMap(t *testing.T, pages int) []byte {
	t.Helper()
	region, err := syscall.Mmap(-1, 0, pages*pageSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	require.NoError(t, err)
	t.Cleanup(func() { syscall.Munmap(region) })
	require.NotContains(t, ppResident(t, region), true, "fresh pages are already resident")
	return region
}

func TestPopulateMapsWholePagesOnly(t *testing.T) {
	require.False(t, populateOff.Load(), "this kernel refused MADV_POPULATE_WRITE")
	const pages = 64
	region := ppMap(t, pages)
	// From inside the first page to inside the last: both partial pages
	// are left alone, every page between is mapped.
	populate(region[100 : len(region)-100])
	resident := ppResident(t, region)
	assert.False(t, resident[0], "the partial first page was mapped")
	assert.False(t, resident[pages-1], "the partial last page was mapped")
	for i := 1; i < pages-1; i++ {
		assert.True(t, resident[i], "page %d was not mapped", i)
	}
}

func TestPopulateLeavesBytesAlone(t *testing.T) {
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i*7 + i>>9)
	}
	want := bytes.Clone(buf)
	for _, c := range []struct{ from, to int }{
		{0, 0}, {0, 1}, {5, 5 + pageSize - 1}, {0, len(buf)}, {1, len(buf) - 1}, {pageSize, 3 * pageSize}, {777, 600000},
	} {
		populate(buf[c.from:c.to])
		require.Equal(t, want, buf, "populate(buf[%d:%d]) changed the bytes", c.from, c.to)
	}
	populate(nil)
}

// The same on a region that another read is filling at the same time:
// populate must never write.
func TestPopulateBesideWrites(t *testing.T) {
	region := ppMap(t, 256)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range region {
			region[i] = byte(i) | 1
		}
	}()
	for off := 0; off < len(region); off += 16 * pageSize {
		populate(region[off:])
	}
	<-done
	for i := range region {
		if region[i] != byte(i)|1 {
			t.Fatalf("byte %d is %d, written %d", i, region[i], byte(i)|1)
		}
	}
}

func TestFirstMissingPage(t *testing.T) {
	const pages = 600 // more than one mincore vector's worth
	region := ppMap(t, pages)
	assert.Equal(t, 0, firstMissingPage(region), "nothing touched yet")
	for i := 0; i < 300*pageSize; i += pageSize {
		region[i] = 1
	}
	assert.Equal(t, 300, firstMissingPage(region), "pages 0 to 299 touched")
	assert.Equal(t, -1, firstMissingPage(region[:300*pageSize]), "the touched part alone")
	// populate starts at the first missing page and maps the rest.
	populate(region)
	assert.Equal(t, -1, firstMissingPage(region), "after populate")
}
