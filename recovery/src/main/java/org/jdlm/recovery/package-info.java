/** Lockspace recovery after a membership change: phases with barriers, remastering, purge, value-block fix-ups. */
package org.jdlm.recovery;
