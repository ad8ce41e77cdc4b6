// Package rendercache is the on-disk store behind skyc render's
// incremental rendering: what rendering a service file for one environment
// produced, under a key that is a hash of everything the result depends
// on, so that a later render with the same inputs reuses it instead of
// evaluating the file again.
//
// # What is stored
//
// A Cache belongs to one repository (its root) and holds three tables:
//
//   - jobs: one entry per slot (a service file and an environment): the
//     key of the inputs it was rendered from and an opaque payload (the
//     render package stores the objects' identities and YAML documents);
//   - loads: per repository file, the hash of its content and the labels
//     its load statements name, so that the load graph of a service can be
//     walked without parsing unchanged files;
//   - stats: per repository file, its size, modification and change times,
//     inode and device and the hash of its content, so that unchanged files
//     need not be read at all. As in git's index, a file modified in the
//     same instant it was hashed ("racily clean") is not recorded.
//
// The key of a job is computed by the caller (render) from a salt that
// identifies the skyc binary, the repository config, the environment and
// the command-line variables and limits, and the label and content hash
// of every file in the service's load graph. Entries are therefore never
// stale: different inputs give a different key, and a changed file is
// always seen, through its content hash, even when its stat data is
// unchanged. What a render reads besides these inputs must be added to the
// key.
//
// # Files and concurrency
//
// The cache lives in a directory (skyc uses os.UserCacheDir()/skyc/render,
// or $SKYC_CACHE/render): heads/<root id> names the chain of pack files of
// a repository, packs/<root id>/ holds them, and key is a random secret
// (mode 0600, made on first use) under which Keyed hashes what must not be
// guessable from the keys stored, such as the values of --var. A pack is a sequence of
// records followed by a CRC-32C of its contents; later packs of a chain
// override earlier ones record by record. Flush writes the records changed
// since Open either as a new pack appended to the chain (a small write
// after editing one file) or, when the chain is long or the changes are
// large, as one compacted pack replacing the chain. Pack and head are
// written to temporary files and renamed into place, so that concurrent
// runs and crashes leave a complete previous or new state: a reader that
// finds a pack missing, truncated or corrupt treats the whole cache as
// empty and renders everything. When two runs flush at once, the last head
// written wins; the other run's work is lost, not mixed in.
package rendercache
