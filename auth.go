package imaplib

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// authenticator mirrors CPython's _Authenticator: it turns the user's
// callback into the literal generator of the AUTHENTICATE exchange. Each
// challenge is base64-decoded (leniently, as binascii.a2b_base64), the
// callback's answer base64-encoded on one line, and a nil answer becomes
// "*", which aborts the exchange.
func authenticator(mech func(challenge []byte) []byte) func([]byte) ([]byte, error) {
	return func(cont []byte) ([]byte, error) {
		challenge, err := a2bBase64(cont)
		if err != nil {
			return nil, err
		}
		answer := mech(challenge)
		if answer == nil {
			return []byte("*"), nil
		}
		out := make([]byte, base64.StdEncoding.EncodedLen(len(answer)))
		base64.StdEncoding.Encode(out, answer)
		return out, nil
	}
}

// base64Value maps a base64 alphabet byte to its value, 0xff elsewhere.
var base64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return
}()

// a2bBase64 decodes like Python's binascii.a2b_base64 in its default,
// non-strict mode: bytes outside the alphabet are skipped, a complete
// padding ends the input, and a short final group is an error with
// Python's text (binascii.Error).
func a2bBase64(in []byte) ([]byte, error) {
	out := make([]byte, 0, len(in)*3/4)
	quad, pads := 0, 0
	var acc uint32
	for _, c := range in {
		if c == '=' {
			pads++
			if quad >= 2 && quad+pads >= 4 {
				return out, nil
			}
			continue
		}
		v := base64Value[c]
		if v == 0xff {
			continue
		}
		pads = 0
		acc = acc<<6 | uint32(v)
		quad++
		switch quad {
		case 2:
			out = append(out, byte(acc>>4))
			acc &= 0xf
		case 3:
			out = append(out, byte(acc>>2))
			acc &= 0x3
		case 4:
			out = append(out, byte(acc))
			acc, quad = 0, 0
		}
	}
	switch quad {
	case 0:
		return out, nil
	case 1:
		return nil, fmt.Errorf("Invalid base64-encoded string: number of data characters (%d) cannot be 1 more than a multiple of 4", len(out)/3*4+1)
	default:
		return nil, fmt.Errorf("Incorrect padding")
	}
}

// cramMD5 answers a CRAM-MD5 challenge (RFC 2195): the user name, a space,
// and the lower-case hex HMAC-MD5 of the challenge keyed by the password.
func cramMD5(user, password string) func([]byte) []byte {
	return func(challenge []byte) []byte {
		mac := hmac.New(md5.New, []byte(password))
		mac.Write(challenge)
		return []byte(user + " " + hex.EncodeToString(mac.Sum(nil)))
	}
}
