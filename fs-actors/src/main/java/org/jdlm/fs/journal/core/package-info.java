/**
 * The journal's decisions, with no Pekko import (style rule 2): the on-disk format of a journal's
 * header ({@link org.jdlm.fs.journal.core.JournalHeader}) and of a transaction in the circular log
 * ({@link org.jdlm.fs.journal.core.LogFormat}), replay as a plan
 * ({@link org.jdlm.fs.journal.core.JournalReplay}: exactly the committed prefix), and the writer's
 * log-space accounting ({@link org.jdlm.fs.journal.core.LogSpace}: when the tail must move).
 * docs/filesystem.md §9.
 */
package org.jdlm.fs.journal.core;
