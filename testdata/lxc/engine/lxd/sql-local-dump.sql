PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (version)
);
INSERT INTO schema VALUES(1,42,'2026-11-26 14:45:20+00:00');
CREATE TABLE certificates (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	fingerprint TEXT NOT NULL,
	type INTEGER NOT NULL,
	name TEXT NOT NULL,
	certificate TEXT NOT NULL,
	UNIQUE (fingerprint)
);
CREATE TABLE config (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    key VARCHAR(255) NOT NULL,
    value TEXT,
    UNIQUE (key)
);
CREATE TABLE patches (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name VARCHAR(255) NOT NULL,
    applied_at DATETIME NOT NULL,
    UNIQUE (name)
);
INSERT INTO patches VALUES(1,'storage_lvm_skipactivation','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(2,'clustering_drop_database_role','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(3,'network_clear_bridge_volatile_hwaddr','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(4,'move_backups_instances','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(5,'network_ovn_enable_nat','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(6,'network_ovn_remove_routes','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(7,'network_fan_enable_nat','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(8,'thinpool_typo_fix','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(9,'vm_rename_uuid_key','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(10,'db_nodes_autoinc','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(11,'network_acl_remove_defaults','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(12,'clustering_server_cert_trust','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(13,'warnings_remove_empty_node','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(14,'dnsmasq_entries_include_device_name','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(15,'storage_missing_snapshot_records','2026-11-26 14:45:20+00:00');
INSERT INTO patches VALUES(16,'pool_fix_default_permissions','2026-11-26 14:45:20+00:00');
CREATE TABLE raft_nodes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    address TEXT NOT NULL,
    role INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL default "",
    UNIQUE (address)
);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('schema',1);
INSERT INTO sqlite_sequence VALUES('patches',16);
COMMIT;
