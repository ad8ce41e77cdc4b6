package manifest

// NewPlainFiller is newPlainFiller, for the tests of package manifest_test
// (which may import schemas, as package manifest may not).
var NewPlainFiller = newPlainFiller

// EncodeDirect is encodeDirect: Encode on the direct path only.
var EncodeDirect = encodeDirect

// NewFiller is newFiller.
var NewFiller = newFiller
