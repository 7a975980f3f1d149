/** Fencing: the fence coordinator, the power, storage and watchdog agents, the persistent fencing authority and the shared disk. */
package org.jdlm.fencing;
