/**
 * Journals of a mounted filesystem (docs/filesystem.md §9, fs-cycles §4.1 steps 9–11): the
 * member's {@link org.jdlm.fs.journal.JournalWriter} (a {@link org.jdlm.fs.disk.MetadataWriter}),
 * {@link org.jdlm.fs.journal.MountedJournals} (journal ownership through the journal glock,
 * recovery of departed members' journals, the BLOCK_LOCKS gate in the glock layer) and
 * {@link org.jdlm.fs.journal.JournalRecoveries}, the member's
 * {@link org.jdlm.recovery.JournalRecovery} for {@code NodeRecovery}.
 */
package org.jdlm.fs.journal;
