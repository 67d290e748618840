package imaplib

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// monthNames are the English month abbreviations IMAP dates use, whatever
// the locale; index 0 is unused so that January is 1.
var monthNames = [...]string{"", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// mon2num maps a month abbreviation to its number, as CPython's Mon2num.
var mon2num = map[string]time.Month{}

func init() {
	for i := 1; i < len(monthNames); i++ {
		mon2num[monthNames[i]] = time.Month(i)
	}
}

// Int2AP mirrors imaplib.Int2AP: the absolute value of num in base 16,
// written with the digits A (0) to P (15), most significant first. Zero gives
// an empty (non-nil) slice, as Python gives empty bytes. CPython makes its tag
// prefix from this.
func Int2AP(num int) []byte {
	// Widening to uint64 before negating keeps math.MinInt exact.
	n := uint64(num)
	if num < 0 {
		n = -n
	}
	var buf [16]byte
	i := len(buf)
	for n != 0 {
		i--
		buf[i] = 'A' + byte(n%16)
		n /= 16
	}
	return append([]byte{}, buf[i:]...)
}

// ParseFlags mirrors imaplib.ParseFlags: the flags inside the first
// "FLAGS (...)" group that the Flags regexp finds, split at ASCII
// whitespace. It returns an empty slice where Python returns (). The flags
// share memory with resp.
func ParseFlags(resp []byte) [][]byte {
	m := Flags.FindSubmatch(resp)
	if m == nil {
		return [][]byte{}
	}
	return splitASCIISpace(m[Flags.SubexpIndex("flags")])
}

// isPySpace reports whether c is whitespace for Python's bytes.split():
// ASCII space, \t, \n, \v, \f and \r, and nothing else (bytes.Fields would
// also split at the UTF-8 encodings of U+0085 and U+00A0).
func isPySpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// splitASCIISpace is Python's bytes.split() without arguments.
func splitASCIISpace(b []byte) [][]byte {
	out := [][]byte{}
	for i := 0; i < len(b); {
		for i < len(b) && isPySpace(b[i]) {
			i++
		}
		start := i
		for i < len(b) && !isPySpace(b[i]) {
			i++
		}
		if i > start {
			out = append(out, b[start:i:i])
		}
	}
	return out
}

// Internaldate2tuple mirrors imaplib.Internaldate2tuple: it finds an
// INTERNALDATE "DD-Mon-YYYY HH:MM:SS +HHMM" in a FETCH response and returns
// that instant in local time (time.Local), where Python returns a
// time.struct_time from time.localtime.
//
// It returns false where Python returns None (no match). It also returns
// false in the two cases where Python raises instead: a well-formed but
// unknown month name such as "Foo" (KeyError), and the year 0000
// (ValueError from the calendar arithmetic); a Go caller checks one result
// rather than telling three failures apart. Out-of-range fields are carried
// over as Python's arithmetic does: day 00 is the last day of the month
// before, 24:00:00 is midnight of the next day.
func Internaldate2tuple(resp []byte) (time.Time, bool) {
	return internaldate2tuple(resp, time.Local)
}

// internaldate2tuple is Internaldate2tuple for a chosen local zone, so that
// tests can check several zones without touching time.Local.
func internaldate2tuple(resp []byte, loc *time.Location) (time.Time, bool) {
	m := InternalDate.FindSubmatch(resp)
	if m == nil {
		return time.Time{}, false
	}
	group := func(name string) []byte { return m[InternalDate.SubexpIndex(name)] }
	num := func(name string) int {
		g := group(name)
		n := 0
		for _, c := range g {
			if c != ' ' { // the day may be space-padded, as " 1"
				n = n*10 + int(c-'0')
			}
		}
		return n
	}
	mon, ok := mon2num[string(group("mon"))]
	if !ok {
		return time.Time{}, false
	}
	year := num("year")
	if year == 0 {
		return time.Time{}, false
	}
	// time.Date normalises out-of-range fields exactly as calendar.timegm's
	// day, hour, minute and second arithmetic does.
	utc := time.Date(year, mon, num("day"), num("hour"), num("min"), num("sec"), 0, time.UTC).Unix()
	zone := int64((num("zoneh")*60 + num("zonem")) * 60)
	if group("zonen")[0] == '-' {
		zone = -zone
	}
	return time.Unix(utc-zone, 0).In(loc), true
}

// Errors Time2Internaldate returns, each with the text of the exception
// CPython raises in that case.
var (
	errDateTimeUnknownType = errors.New("date_time not of a known type")                    // ValueError
	errStringIndex         = errors.New("string index out of range")                        // IndexError, for ""
	errNaN                 = errors.New("Invalid value NaN (not a number)")                 // ValueError
	errTimeTRange          = errors.New("timestamp out of range for platform time_t")       // OverflowError
	errValueTooLarge       = errors.New("[Errno 75] Value too large for defined data type") // OSError (gmtime)
	errDateValueRange      = errors.New("date value out of range")                          // OverflowError
)

// Time2Internaldate mirrors imaplib.Time2Internaldate: it returns an IMAP
// date-time in double quotes, "DD-Mon-YYYY HH:MM:SS +HHMM", as APPEND sends
// it. It takes what Python takes:
//
//   - a time.Time (Python's aware datetime, tuple or struct_time): written
//     in its own location, with that location's offset
//   - Unix seconds as any Go integer or float (and a bool, which Python
//     counts as 0 or 1): written in local time (time.Local) with the local
//     offset; a float is rounded to whole microseconds half to even, then
//     its seconds kept, as datetime.fromtimestamp does
//   - a string whose first and last characters are double quotes: returned
//     unchanged, without any check
//
// Month names are English whatever the locale. The day is two digits; the
// year is not padded (CPython on Linux writes the year 5 as "5"). An offset
// with a seconds part, as the local mean time of old dates has, is written
// +HHMMSS, as CPython does.
//
// The errors carry CPython's exception text: "date_time not of a known
// type" for other strings and types, "string index out of range" for "",
// and for seconds out of range the ValueError, OverflowError or OSError text
// Python shows. A time.Time outside the years 1 to 9999, which no Python
// datetime can hold, gives "year N is out of range".
func Time2Internaldate(dateTime any) (string, error) {
	return time2Internaldate(dateTime, time.Local)
}

// time2Internaldate is Time2Internaldate for a chosen local zone, so that
// tests can check several zones without touching time.Local.
func time2Internaldate(dateTime any, loc *time.Location) (string, error) {
	switch v := dateTime.(type) {
	case time.Time:
		if y := v.Year(); y < 1 || y > 9999 {
			return "", fmt.Errorf("year %d is out of range", y)
		}
		return formatInternaldate(v), nil
	case string:
		if v == "" {
			return "", errStringIndex
		}
		if v[0] == '"' && v[len(v)-1] == '"' {
			return v, nil
		}
		return "", errDateTimeUnknownType
	case bool:
		if v {
			return secondsToInternaldate(1, loc)
		}
		return secondsToInternaldate(0, loc)
	case int:
		return secondsToInternaldate(int64(v), loc)
	case int8:
		return secondsToInternaldate(int64(v), loc)
	case int16:
		return secondsToInternaldate(int64(v), loc)
	case int32:
		return secondsToInternaldate(int64(v), loc)
	case int64:
		return secondsToInternaldate(v, loc)
	case uint:
		return unsignedToInternaldate(uint64(v), loc)
	case uint8:
		return secondsToInternaldate(int64(v), loc)
	case uint16:
		return secondsToInternaldate(int64(v), loc)
	case uint32:
		return secondsToInternaldate(int64(v), loc)
	case uint64:
		return unsignedToInternaldate(v, loc)
	case float32:
		return floatToInternaldate(float64(v), loc)
	case float64:
		return floatToInternaldate(v, loc)
	}
	return "", errDateTimeUnknownType
}

// unsignedToInternaldate refuses what does not fit a 64-bit time_t, as
// Python does for an int of 2**63 or more.
func unsignedToInternaldate(secs uint64, loc *time.Location) (string, error) {
	if secs > math.MaxInt64 {
		return "", errTimeTRange
	}
	return secondsToInternaldate(int64(secs), loc)
}

// floatToInternaldate converts float seconds the way CPython's
// datetime.fromtimestamp does: the fraction is scaled to microseconds and
// rounded half to even, carrying into the whole seconds, so 1.9999999 is
// second 2 and -0.5 is second -1.
func floatToInternaldate(f float64, loc *time.Location) (string, error) {
	if math.IsNaN(f) {
		return "", errNaN
	}
	whole, frac := math.Modf(f)
	frac = math.RoundToEven(frac * 1e6)
	if frac >= 1e6 {
		whole++
	} else if frac < 0 {
		whole--
	}
	// The same bounds as CPython's time_t check: -2**63 is allowed, 2**63
	// (the nearest double to the largest time_t) is not.
	if !(whole >= -(1<<63) && whole < (1<<63)) {
		return "", errTimeTRange
	}
	return secondsToInternaldate(int64(whole), loc)
}

// secondsToInternaldate writes Unix seconds in loc, failing where CPython
// fails: gmtime cannot hold the year, the UTC year is outside 1..9999, or
// the local year is.
func secondsToInternaldate(secs int64, loc *time.Location) (string, error) {
	y := civilYear(floorDiv(secs, 86400))
	if y-1900 > math.MaxInt32 || y-1900 < math.MinInt32 {
		return "", errValueTooLarge
	}
	if y < 1 || y > 9999 {
		return "", fmt.Errorf("year %d is out of range", y)
	}
	t := time.Unix(secs, 0).In(loc)
	if ly := t.Year(); ly < 1 || ly > 9999 {
		return "", errDateValueRange
	}
	return formatInternaldate(t), nil
}

// formatInternaldate writes t in its own location as CPython's strftime
// format '"%d-Mon-%Y %H:%M:%S %z"' does.
func formatInternaldate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	zone := fmt.Sprintf("%c%02d%02d", sign, off/3600, off/60%60)
	if off%60 != 0 {
		zone += fmt.Sprintf("%02d", off%60)
	}
	return fmt.Sprintf(`"%02d-%s-%d %02d:%02d:%02d %s"`, t.Day(), monthNames[t.Month()],
		t.Year(), t.Hour(), t.Minute(), t.Second(), zone)
}

// floorDiv divides rounding towards minus infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civilYear returns the proleptic Gregorian year of a day count from
// 1970-01-01, for any int64 count; the time package overflows long before
// the years at which gmtime gives up.
func civilYear(days int64) int64 {
	z := days + 719468 // days from 0000-03-01
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	y := yoe + era*400
	if mp >= 10 { // January and February belong to the next civil year
		y++
	}
	return y
}
