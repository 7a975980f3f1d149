/**
 * The shared store (brief §3): Pekko Persistence over JDBC for what must survive every node.
 * {@link org.jdlm.fencing.store.StoreServer} serves the lab's H2 database on loopback and creates
 * the plugin's schema; {@link org.jdlm.fencing.store.StoreConfig} turns {@code jdlm.store} into the
 * Pekko settings for H2 or PostgreSQL; {@link org.jdlm.fencing.store.StoreProbe} is the smoke actor
 * that shows events outliving a member.
 */
package org.jdlm.fencing.store;
