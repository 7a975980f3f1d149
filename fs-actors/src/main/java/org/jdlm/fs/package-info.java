/** The cluster filesystem lock layer model (GFS2-style glocks, inodes, page cache, eviction). Built in later issues. */
package org.jdlm.fs;
