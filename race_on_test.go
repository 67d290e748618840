//go:build race

package imaplib

// raceDetector tells tests whose limits are memory sizes that the race
// detector's shadow memory is counted too.
const raceDetector = true
