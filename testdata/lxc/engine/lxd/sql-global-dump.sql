PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema (
    id         INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    version    INTEGER NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (version)
);
INSERT INTO schema VALUES(1,60,'2026-11-26 14:45:21+00:00');
CREATE TABLE certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    fingerprint TEXT NOT NULL,
    type INTEGER NOT NULL,
    name TEXT NOT NULL,
    certificate TEXT NOT NULL,
    restricted INTEGER NOT NULL DEFAULT 0,
    UNIQUE (fingerprint)
);
CREATE TABLE IF NOT EXISTS "certificates_projects" (
	certificate_id INTEGER NOT NULL,
	project_id INTEGER NOT NULL,
	FOREIGN KEY (certificate_id) REFERENCES certificates (id) ON DELETE CASCADE,
	FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE,
	UNIQUE (certificate_id, project_id)
);
CREATE TABLE IF NOT EXISTS "cluster_groups" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (name)
);
INSERT INTO cluster_groups VALUES(1,'default','Default cluster group');
CREATE TABLE config (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (key)
);
CREATE TABLE IF NOT EXISTS "images" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    fingerprint TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    public INTEGER NOT NULL DEFAULT 0,
    architecture INTEGER NOT NULL,
    creation_date DATETIME,
    expiry_date DATETIME,
    upload_date DATETIME NOT NULL,
    cached INTEGER NOT NULL DEFAULT 0,
    last_use_date DATETIME,
    auto_update INTEGER NOT NULL DEFAULT 0,
    project_id INTEGER NOT NULL,
    type INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, fingerprint),
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
INSERT INTO images VALUES(1,'d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a','csx-busybox.tar.xz',879320,0,2,'2026-11-26 14:45:17+00:00','1970-01-01 00:00:00+00:00','2026-11-26 14:45:23.201242876+00:00',0,'2026-11-26 14:45:50.433489107+00:00',0,1,0);
INSERT INTO images VALUES(2,'d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a','csx-busybox.tar.xz',879320,0,2,'2026-11-26 14:45:17+00:00','1970-01-01 00:00:00+00:00','2026-11-26 14:45:56.235362755+00:00',0,'2026-11-26 14:45:56.589371351+00:00',0,2,0);
CREATE TABLE IF NOT EXISTS "images_aliases" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    image_id INTEGER NOT NULL,
    description TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    UNIQUE (project_id, name),
    FOREIGN KEY (image_id) REFERENCES "images" (id) ON DELETE CASCADE,
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
INSERT INTO images_aliases VALUES(1,'csx/busybox',1,'',1);
INSERT INTO images_aliases VALUES(2,'csx/busybox',2,'',2);
CREATE INDEX images_aliases_project_id_idx ON images_aliases (project_id);
CREATE TABLE IF NOT EXISTS "images_nodes" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    image_id INTEGER NOT NULL,
    node_id INTEGER NOT NULL,
    UNIQUE (image_id, node_id),
    FOREIGN KEY (image_id) REFERENCES "images" (id) ON DELETE CASCADE,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE
);
INSERT INTO images_nodes VALUES(1,1,1);
INSERT INTO images_nodes VALUES(2,2,1);
CREATE TABLE IF NOT EXISTS "images_profiles" (
	image_id INTEGER NOT NULL,
	profile_id INTEGER NOT NULL,
	FOREIGN KEY (image_id) REFERENCES "images" (id) ON DELETE CASCADE,
	FOREIGN KEY (profile_id) REFERENCES "profiles" (id) ON DELETE CASCADE,
	UNIQUE (image_id, profile_id)
);
INSERT INTO images_profiles VALUES(1,1);
INSERT INTO images_profiles VALUES(2,3);
CREATE INDEX images_project_id_idx ON images (project_id);
CREATE TABLE IF NOT EXISTS "images_properties" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    image_id INTEGER NOT NULL,
    type INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (image_id) REFERENCES "images" (id) ON DELETE CASCADE
);
INSERT INTO images_properties VALUES(1,1,0,'architecture','x86_64');
INSERT INTO images_properties VALUES(2,1,0,'description','csleuth fixture busybox (busybox-static)');
INSERT INTO images_properties VALUES(3,1,0,'os','busybox');
INSERT INTO images_properties VALUES(4,1,0,'release','1.35');
INSERT INTO images_properties VALUES(5,2,0,'os','busybox');
INSERT INTO images_properties VALUES(6,2,0,'release','1.35');
INSERT INTO images_properties VALUES(7,2,0,'architecture','x86_64');
INSERT INTO images_properties VALUES(8,2,0,'description','csleuth fixture busybox (busybox-static)');
CREATE TABLE IF NOT EXISTS "images_source" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    image_id INTEGER NOT NULL,
    server TEXT NOT NULL,
    protocol INTEGER NOT NULL,
    certificate TEXT NOT NULL,
    alias TEXT NOT NULL,
    FOREIGN KEY (image_id) REFERENCES "images" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "instances" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    node_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    architecture INTEGER NOT NULL,
    type INTEGER NOT NULL,
    ephemeral INTEGER NOT NULL DEFAULT 0,
    creation_date DATETIME NOT NULL DEFAULT 0,
    stateful INTEGER NOT NULL DEFAULT 0,
    last_use_date DATETIME,
    description TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    expiry_date DATETIME,
    UNIQUE (project_id, name),
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE,
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
INSERT INTO instances VALUES(1,1,'lxd-unpriv',2,0,0,'2026-11-26 14:45:24.093173230+00:00',0,'2026-11-26 14:45:26.178444135+00:00','',1,'0001-01-01 00:00:00+00:00');
INSERT INTO instances VALUES(2,1,'lxd-priv',2,0,0,'2026-11-26 14:45:30.675909642+00:00',0,'2026-11-26 14:45:32.461672937+00:00','',1,'0001-01-01 00:00:00+00:00');
INSERT INTO instances VALUES(3,1,'lxd-never',2,0,0,'2026-11-26 14:45:37.058501146+00:00',0,'1970-01-01 00:00:00+00:00','',1,'0001-01-01 00:00:00+00:00');
INSERT INTO instances VALUES(4,1,'lxd-snap',2,0,0,'2026-11-26 14:45:37.822878859+00:00',0,'2026-11-26 14:45:45.038549577+00:00','',1,'0001-01-01 00:00:00+00:00');
INSERT INTO instances VALUES(5,1,'lxd-live',2,0,0,'2026-11-26 14:45:50.411890967+00:00',0,'2026-11-26 14:45:52.735259696+00:00','',1,'0001-01-01 00:00:00+00:00');
INSERT INTO instances VALUES(6,1,'miner',2,0,0,'2026-11-26 14:45:56.556382322+00:00',0,'2026-11-26 14:45:58.706431739+00:00','',2,'0001-01-01 00:00:00+00:00');
CREATE TABLE IF NOT EXISTS "instances_backups" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    instance_id INTEGER NOT NULL,
    name VARCHAR(255) NOT NULL,
    creation_date DATETIME,
    expiry_date DATETIME,
    container_only INTEGER NOT NULL default 0,
    optimized_storage INTEGER NOT NULL default 0,
    FOREIGN KEY (instance_id) REFERENCES "instances" (id) ON DELETE CASCADE,
    UNIQUE (instance_id, name)
);
CREATE TABLE IF NOT EXISTS "instances_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    instance_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (instance_id) REFERENCES "instances" (id) ON DELETE CASCADE,
    UNIQUE (instance_id, key)
);
INSERT INTO instances_config VALUES(13,1,'volatile.uuid','9bce0f47-c745-40f2-8ec6-b55a21f8d0df');
INSERT INTO instances_config VALUES(14,1,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_config VALUES(16,1,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_config VALUES(17,1,'volatile.cloud-init.instance-id','5360d344-a769-4749-b426-4cfb8fa5790e');
INSERT INTO instances_config VALUES(18,1,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(19,1,'image.architecture','x86_64');
INSERT INTO instances_config VALUES(20,1,'image.os','busybox');
INSERT INTO instances_config VALUES(21,1,'image.release','1.35');
INSERT INTO instances_config VALUES(22,1,'volatile.idmap.base','0');
INSERT INTO instances_config VALUES(23,1,'volatile.last_state.idmap','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(24,1,'volatile.idmap.current','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(26,1,'volatile.last_state.power','STOPPED');
INSERT INTO instances_config VALUES(27,2,'image.release','1.35');
INSERT INTO instances_config VALUES(28,2,'image.architecture','x86_64');
INSERT INTO instances_config VALUES(29,2,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_config VALUES(30,2,'volatile.cloud-init.instance-id','5f084e25-632a-44dc-8e1b-d2ea28ed6685');
INSERT INTO instances_config VALUES(31,2,'security.privileged','true');
INSERT INTO instances_config VALUES(32,2,'user.purpose','build');
INSERT INTO instances_config VALUES(33,2,'volatile.uuid','f7f39f40-e2ef-4cf9-9964-7ebb02619805');
INSERT INTO instances_config VALUES(34,2,'image.os','busybox');
INSERT INTO instances_config VALUES(35,2,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_config VALUES(36,2,'volatile.idmap.next','[]');
INSERT INTO instances_config VALUES(37,2,'volatile.idmap.base','0');
INSERT INTO instances_config VALUES(38,2,'volatile.last_state.idmap','[]');
INSERT INTO instances_config VALUES(40,2,'volatile.idmap.current','[]');
INSERT INTO instances_config VALUES(42,2,'volatile.last_state.power','STOPPED');
INSERT INTO instances_config VALUES(55,4,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_config VALUES(56,4,'image.os','busybox');
INSERT INTO instances_config VALUES(57,4,'image.release','1.35');
INSERT INTO instances_config VALUES(58,4,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_config VALUES(59,4,'volatile.uuid','947fd3de-9c52-48e8-a974-948fee97061c');
INSERT INTO instances_config VALUES(60,4,'volatile.cloud-init.instance-id','17904edb-4d84-4e5e-a094-d98a3454597b');
INSERT INTO instances_config VALUES(61,4,'image.architecture','x86_64');
INSERT INTO instances_config VALUES(63,4,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(64,4,'volatile.idmap.base','0');
INSERT INTO instances_config VALUES(66,4,'volatile.last_state.idmap','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(67,4,'volatile.idmap.current','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(71,4,'volatile.last_state.power','STOPPED');
INSERT INTO instances_config VALUES(72,5,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_config VALUES(73,5,'image.os','busybox');
INSERT INTO instances_config VALUES(74,5,'image.release','1.35');
INSERT INTO instances_config VALUES(75,5,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_config VALUES(76,5,'volatile.uuid','e61623bf-28ef-4f5a-bc6c-ed3c48fdbb8c');
INSERT INTO instances_config VALUES(77,5,'volatile.cloud-init.instance-id','46547a9f-01f0-4a2b-81cb-2ec925955a86');
INSERT INTO instances_config VALUES(78,5,'image.architecture','x86_64');
INSERT INTO instances_config VALUES(79,5,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(80,5,'volatile.idmap.base','0');
INSERT INTO instances_config VALUES(83,5,'volatile.last_state.idmap','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(84,5,'volatile.idmap.current','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(85,5,'volatile.last_state.power','RUNNING');
INSERT INTO instances_config VALUES(86,6,'image.release','1.35');
INSERT INTO instances_config VALUES(87,6,'image.architecture','x86_64');
INSERT INTO instances_config VALUES(88,6,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_config VALUES(89,6,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_config VALUES(90,6,'volatile.uuid','3ed1170f-3440-4f73-a901-4be3fe4912cc');
INSERT INTO instances_config VALUES(91,6,'volatile.cloud-init.instance-id','378ab406-916c-4250-82fe-fbc7768be7f6');
INSERT INTO instances_config VALUES(92,6,'image.os','busybox');
INSERT INTO instances_config VALUES(93,6,'volatile.idmap.base','0');
INSERT INTO instances_config VALUES(95,6,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(97,6,'volatile.last_state.idmap','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(98,6,'volatile.idmap.current','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(99,6,'volatile.last_state.power','RUNNING');
INSERT INTO instances_config VALUES(3896,3,'image.release','1.35');
INSERT INTO instances_config VALUES(3897,3,'user.rev','293');
INSERT INTO instances_config VALUES(3898,3,'volatile.cloud-init.instance-id','7ce6a12b-462a-4c8f-9ba9-4ec93f7a71de');
INSERT INTO instances_config VALUES(3899,3,'volatile.idmap.base','0');
INSERT INTO instances_config VALUES(3900,3,'volatile.last_state.idmap','[]');
INSERT INTO instances_config VALUES(3901,3,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_config VALUES(3902,3,'image.os','busybox');
INSERT INTO instances_config VALUES(3903,3,'volatile.apply_template','create');
INSERT INTO instances_config VALUES(3904,3,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_config VALUES(3905,3,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_config VALUES(3906,3,'volatile.uuid','8eb160cc-8b01-426a-8693-41a51d80d095');
INSERT INTO instances_config VALUES(3907,3,'image.architecture','x86_64');
INSERT INTO instances_config VALUES(3908,3,'user.note','never started');
CREATE TABLE IF NOT EXISTS "instances_devices" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    instance_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    type INTEGER NOT NULL default 0,
    FOREIGN KEY (instance_id) REFERENCES "instances" (id) ON DELETE CASCADE,
    UNIQUE (instance_id, name)
);
INSERT INTO instances_devices VALUES(1,1,'csxdata',2);
CREATE TABLE IF NOT EXISTS "instances_devices_config" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    instance_device_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (instance_device_id) REFERENCES "instances_devices" (id) ON DELETE CASCADE,
    UNIQUE (instance_device_id, key)
);
INSERT INTO instances_devices_config VALUES(1,1,'path','/data');
INSERT INTO instances_devices_config VALUES(2,1,'pool','default');
INSERT INTO instances_devices_config VALUES(3,1,'source','csxdata');
INSERT INTO instances_devices_config VALUES(4,1,'type','disk');
CREATE INDEX instances_node_id_idx ON instances (node_id);
CREATE TABLE IF NOT EXISTS "instances_profiles" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    instance_id INTEGER NOT NULL,
    profile_id INTEGER NOT NULL,
    apply_order INTEGER NOT NULL default 0,
    UNIQUE (instance_id, profile_id),
    FOREIGN KEY (instance_id) REFERENCES "instances" (id) ON DELETE CASCADE,
    FOREIGN KEY (profile_id) REFERENCES "profiles"(id) ON DELETE CASCADE
);
INSERT INTO instances_profiles VALUES(3,1,1,1);
INSERT INTO instances_profiles VALUES(4,1,2,2);
INSERT INTO instances_profiles VALUES(5,2,1,1);
INSERT INTO instances_profiles VALUES(7,4,1,1);
INSERT INTO instances_profiles VALUES(8,5,1,1);
INSERT INTO instances_profiles VALUES(9,6,3,1);
INSERT INTO instances_profiles VALUES(302,3,1,1);
CREATE INDEX instances_project_id_and_name_idx ON instances (project_id,
    name);
CREATE INDEX instances_project_id_and_node_id_and_name_idx ON instances (project_id,
    node_id,
    name);
CREATE INDEX instances_project_id_and_node_id_idx ON instances (project_id,
    node_id);
CREATE INDEX instances_project_id_idx ON instances (project_id);
CREATE TABLE IF NOT EXISTS "instances_snapshots" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    instance_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    creation_date DATETIME NOT NULL DEFAULT 0,
    stateful INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL,
    expiry_date DATETIME,
    UNIQUE (instance_id, name),
    FOREIGN KEY (instance_id) REFERENCES "instances" (id) ON DELETE CASCADE
);
INSERT INTO instances_snapshots VALUES(1,4,'snap0','2026-11-26 14:45:43.498921259+00:00',0,'','0001-01-01 00:00:00+00:00');
INSERT INTO instances_snapshots VALUES(2,4,'snap1','2026-11-26 14:45:47.328363257+00:00',0,'','0001-01-01 00:00:00+00:00');
CREATE TABLE IF NOT EXISTS "instances_snapshots_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    instance_snapshot_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (instance_snapshot_id) REFERENCES "instances_snapshots" (id) ON DELETE CASCADE,
    UNIQUE (instance_snapshot_id, key)
);
INSERT INTO instances_snapshots_config VALUES(1,1,'image.architecture','x86_64');
INSERT INTO instances_snapshots_config VALUES(2,1,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_snapshots_config VALUES(3,1,'image.os','busybox');
INSERT INTO instances_snapshots_config VALUES(4,1,'image.release','1.35');
INSERT INTO instances_snapshots_config VALUES(5,1,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_snapshots_config VALUES(6,1,'volatile.idmap.current','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_snapshots_config VALUES(7,1,'volatile.uuid','947fd3de-9c52-48e8-a974-948fee97061c');
INSERT INTO instances_snapshots_config VALUES(8,1,'volatile.cloud-init.instance-id','17904edb-4d84-4e5e-a094-d98a3454597b');
INSERT INTO instances_snapshots_config VALUES(11,1,'volatile.last_state.idmap','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_snapshots_config VALUES(12,1,'volatile.last_state.power','STOPPED');
INSERT INTO instances_snapshots_config VALUES(13,1,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_snapshots_config VALUES(14,1,'volatile.idmap.base','0');
INSERT INTO instances_snapshots_config VALUES(15,2,'image.os','busybox');
INSERT INTO instances_snapshots_config VALUES(16,2,'volatile.base_image','d70452515fb7ae3152fc29b1dc176fa69d823fe68c620fe7711ca63a9f060b6a');
INSERT INTO instances_snapshots_config VALUES(18,2,'volatile.last_state.power','RUNNING');
INSERT INTO instances_snapshots_config VALUES(20,2,'volatile.idmap.current','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_snapshots_config VALUES(21,2,'volatile.last_state.idmap','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_snapshots_config VALUES(22,2,'volatile.uuid','947fd3de-9c52-48e8-a974-948fee97061c');
INSERT INTO instances_snapshots_config VALUES(23,2,'image.architecture','x86_64');
INSERT INTO instances_snapshots_config VALUES(24,2,'image.description','csleuth fixture busybox (busybox-static)');
INSERT INTO instances_snapshots_config VALUES(25,2,'image.release','1.35');
INSERT INTO instances_snapshots_config VALUES(26,2,'volatile.cloud-init.instance-id','17904edb-4d84-4e5e-a094-d98a3454597b');
INSERT INTO instances_snapshots_config VALUES(27,2,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO instances_snapshots_config VALUES(28,2,'volatile.idmap.base','0');
CREATE TABLE IF NOT EXISTS "instances_snapshots_devices" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    instance_snapshot_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    type INTEGER NOT NULL default 0,
    FOREIGN KEY (instance_snapshot_id) REFERENCES "instances_snapshots" (id) ON DELETE CASCADE,
    UNIQUE (instance_snapshot_id, name)
);
CREATE TABLE IF NOT EXISTS "instances_snapshots_devices_config" (
    id INTEGER primary key AUTOINCREMENT NOT NULL,
    instance_snapshot_device_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (instance_snapshot_device_id) REFERENCES "instances_snapshots_devices" (id) ON DELETE CASCADE,
    UNIQUE (instance_snapshot_device_id, key)
);
CREATE TABLE IF NOT EXISTS "networks" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    project_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    type INTEGER NOT NULL DEFAULT 0,
    UNIQUE (project_id, name),
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_acls" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    project_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    ingress TEXT NOT NULL,
    egress TEXT NOT NULL,
    UNIQUE (project_id, name),
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_acls_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    network_acl_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (network_acl_id, key),
    FOREIGN KEY (network_acl_id) REFERENCES "networks_acls" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    network_id INTEGER NOT NULL,
    node_id INTEGER,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (network_id, node_id, key),
    FOREIGN KEY (network_id) REFERENCES "networks" (id) ON DELETE CASCADE,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_forwards" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_id INTEGER NOT NULL,
	node_id INTEGER,
	listen_address TEXT NOT NULL,
	description TEXT NOT NULL,
	ports TEXT NOT NULL,
	UNIQUE (network_id, node_id, listen_address),
	FOREIGN KEY (network_id) REFERENCES "networks" (id) ON DELETE CASCADE,
	FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_forwards_config" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_forward_id INTEGER NOT NULL,
	key VARCHAR(255) NOT NULL,
	value TEXT,
	UNIQUE (network_forward_id, key),
	FOREIGN KEY (network_forward_id) REFERENCES "networks_forwards" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_nodes" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    network_id INTEGER NOT NULL,
    node_id INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    UNIQUE (network_id, node_id),
    FOREIGN KEY (network_id) REFERENCES "networks" (id) ON DELETE CASCADE,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_peers" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	target_network_project TEXT NULL,
	target_network_name TEXT NULL,
	target_network_id INTEGER NULL,
	UNIQUE (network_id, name),
	UNIQUE (network_id, target_network_project, target_network_name),
	UNIQUE (network_id, target_network_id),
	FOREIGN KEY (network_id) REFERENCES "networks" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_peers_config" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_peer_id INTEGER NOT NULL,
	key VARCHAR(255) NOT NULL,
	value TEXT,
	UNIQUE (network_peer_id, key),
	FOREIGN KEY (network_peer_id) REFERENCES "networks_peers" (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX networks_unique_network_id_node_id_key ON "networks_config" (network_id, IFNULL(node_id, -1), key);
CREATE TABLE IF NOT EXISTS "networks_zones" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	project_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	UNIQUE (name),
	FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "networks_zones_config" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_zone_id INTEGER NOT NULL,
	key VARCHAR(255) NOT NULL,
	value TEXT,
	UNIQUE (network_zone_id, key),
	FOREIGN KEY (network_zone_id) REFERENCES "networks_zones" (id) ON DELETE CASCADE
);
CREATE TABLE networks_zones_records (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_zone_id INTEGER NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL,
	entries TEXT NOT NULL,
	UNIQUE (name),
	FOREIGN KEY (network_zone_id) REFERENCES networks_zones (id) ON DELETE CASCADE
);
CREATE TABLE networks_zones_records_config (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	network_zone_record_id INTEGER NOT NULL,
	key VARCHAR(255) NOT NULL,
	value TEXT,
	UNIQUE (network_zone_record_id, key),
	FOREIGN KEY (network_zone_record_id) REFERENCES networks_zones_records (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "nodes" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    address TEXT NOT NULL,
    schema INTEGER NOT NULL,
    api_extensions INTEGER NOT NULL,
    heartbeat DATETIME DEFAULT CURRENT_TIMESTAMP,
    state INTEGER NOT NULL DEFAULT 0,
    arch INTEGER NOT NULL DEFAULT 0 CHECK (arch > 0),
    failure_domain_id INTEGER DEFAULT NULL REFERENCES nodes_failure_domains (id) ON DELETE SET NULL,
    UNIQUE (name),
    UNIQUE (address)
);
INSERT INTO nodes VALUES(1,'none','','0.0.0.0',60,318,'2026-11-26 14:45:21+00:00',0,2,NULL);
CREATE TABLE IF NOT EXISTS "nodes_cluster_groups" (
    node_id INTEGER NOT NULL,
    group_id INTEGER NOT NULL,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE,
    FOREIGN KEY (group_id) REFERENCES cluster_groups (id) ON DELETE CASCADE,
    UNIQUE (node_id, group_id)
);
INSERT INTO nodes_cluster_groups VALUES(1,1);
CREATE TABLE IF NOT EXISTS "nodes_config" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	node_id INTEGER NOT NULL,
	key TEXT NOT NULL,
	value TEXT,
	FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE,
	UNIQUE (node_id, key)
);
CREATE TABLE nodes_failure_domains (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (name)
);
CREATE TABLE IF NOT EXISTS "nodes_roles" (
    node_id INTEGER NOT NULL,
    role INTEGER NOT NULL,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE,
    UNIQUE (node_id, role)
);
CREATE TABLE IF NOT EXISTS "operations" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    uuid TEXT NOT NULL,
    node_id TEXT NOT NULL,
    type INTEGER NOT NULL DEFAULT 0,
    project_id INTEGER,
    UNIQUE (uuid),
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE,
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS "profiles" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    UNIQUE (project_id, name),
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
INSERT INTO profiles VALUES(1,'default','Default LXD profile',1);
INSERT INTO profiles VALUES(2,'hardened','csleuth: restricted profile',1);
INSERT INTO profiles VALUES(3,'default','Default LXD profile for project attacker',2);
CREATE TABLE IF NOT EXISTS "profiles_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    profile_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (profile_id, key),
    FOREIGN KEY (profile_id) REFERENCES "profiles"(id) ON DELETE CASCADE
);
INSERT INTO profiles_config VALUES(1,2,'environment.CSX_ROLE','fixture');
INSERT INTO profiles_config VALUES(2,2,'limits.processes','200');
INSERT INTO profiles_config VALUES(3,2,'security.nesting','false');
INSERT INTO profiles_config VALUES(4,2,'user.owner','alice');
CREATE TABLE IF NOT EXISTS "profiles_devices" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    profile_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    type INTEGER NOT NULL default 0,
    UNIQUE (profile_id, name),
    FOREIGN KEY (profile_id) REFERENCES "profiles" (id) ON DELETE CASCADE
);
INSERT INTO profiles_devices VALUES(1,1,'root',2);
INSERT INTO profiles_devices VALUES(2,3,'root',2);
CREATE TABLE IF NOT EXISTS "profiles_devices_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    profile_device_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (profile_device_id, key),
    FOREIGN KEY (profile_device_id) REFERENCES "profiles_devices" (id) ON DELETE CASCADE
);
INSERT INTO profiles_devices_config VALUES(1,1,'path','/');
INSERT INTO profiles_devices_config VALUES(2,1,'pool','default');
INSERT INTO profiles_devices_config VALUES(3,1,'type','disk');
INSERT INTO profiles_devices_config VALUES(4,2,'type','disk');
INSERT INTO profiles_devices_config VALUES(5,2,'path','/');
INSERT INTO profiles_devices_config VALUES(6,2,'pool','default');
CREATE INDEX profiles_project_id_idx ON profiles (project_id);
CREATE TABLE IF NOT EXISTS "projects" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    UNIQUE (name)
);
INSERT INTO projects VALUES(1,'default','Default LXD project');
INSERT INTO projects VALUES(2,'attacker','');
CREATE TABLE IF NOT EXISTS "projects_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    project_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE,
    UNIQUE (project_id, key)
);
INSERT INTO projects_config VALUES(1,1,'features.images','true');
INSERT INTO projects_config VALUES(2,1,'features.profiles','true');
INSERT INTO projects_config VALUES(3,1,'features.storage.volumes','true');
INSERT INTO projects_config VALUES(4,1,'features.networks','true');
INSERT INTO projects_config VALUES(8,2,'features.profiles','true');
INSERT INTO projects_config VALUES(9,2,'features.storage.volumes','true');
INSERT INTO projects_config VALUES(10,2,'user.created-by','mallory');
INSERT INTO projects_config VALUES(11,2,'features.images','true');
CREATE TABLE IF NOT EXISTS "storage_pools" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    driver TEXT NOT NULL,
    description TEXT NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    UNIQUE (name)
);
INSERT INTO storage_pools VALUES(1,'default','dir','csleuth fixture pool',1);
CREATE TABLE IF NOT EXISTS "storage_pools_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    storage_pool_id INTEGER NOT NULL,
    node_id INTEGER,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (storage_pool_id, node_id, key),
    FOREIGN KEY (storage_pool_id) REFERENCES "storage_pools" (id) ON DELETE CASCADE,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE
);
INSERT INTO storage_pools_config VALUES(1,1,1,'source','/var/lib/lxd/storage-pools/default');
CREATE TABLE IF NOT EXISTS "storage_pools_nodes" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    storage_pool_id INTEGER NOT NULL,
    node_id INTEGER NOT NULL,
    state INTEGER NOT NULL DEFAULT 0,
    UNIQUE (storage_pool_id, node_id),
    FOREIGN KEY (storage_pool_id) REFERENCES "storage_pools" (id) ON DELETE CASCADE,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE
);
INSERT INTO storage_pools_nodes VALUES(1,1,1,1);
CREATE UNIQUE INDEX storage_pools_unique_storage_pool_id_node_id_key ON storage_pools_config (storage_pool_id, IFNULL(node_id, -1), key);
CREATE TABLE IF NOT EXISTS "storage_volumes" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    name TEXT NOT NULL,
    storage_pool_id INTEGER NOT NULL,
    node_id INTEGER,
    type INTEGER NOT NULL,
    description TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    content_type INTEGER NOT NULL DEFAULT 0,
    UNIQUE (storage_pool_id, node_id, project_id, name, type),
    FOREIGN KEY (storage_pool_id) REFERENCES "storage_pools" (id) ON DELETE CASCADE,
    FOREIGN KEY (node_id) REFERENCES "nodes" (id) ON DELETE CASCADE,
    FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
INSERT INTO storage_volumes VALUES(1,'csxdata',1,1,2,'',1,0);
INSERT INTO storage_volumes VALUES(2,'lxd-unpriv',1,1,0,'',1,0);
INSERT INTO storage_volumes VALUES(3,'lxd-priv',1,1,0,'',1,0);
INSERT INTO storage_volumes VALUES(4,'lxd-never',1,1,0,'',1,0);
INSERT INTO storage_volumes VALUES(5,'lxd-snap',1,1,0,'',1,0);
INSERT INTO storage_volumes VALUES(8,'lxd-live',1,1,0,'',1,0);
INSERT INTO storage_volumes VALUES(9,'miner',1,1,0,'',2,0);
CREATE VIEW storage_volumes_all (
         id,
         name,
         storage_pool_id,
         node_id,
         type,
         description,
         project_id,
         content_type) AS
  SELECT id,
         name,
         storage_pool_id,
         node_id,
         type,
         description,
         project_id,
         content_type
    FROM storage_volumes UNION
  SELECT storage_volumes_snapshots.id,
         printf('%s/%s',
    storage_volumes.name,
    storage_volumes_snapshots.name),
         storage_volumes.storage_pool_id,
         storage_volumes.node_id,
         storage_volumes.type,
         storage_volumes_snapshots.description,
         storage_volumes.project_id,
         storage_volumes.content_type
    FROM storage_volumes
    JOIN storage_volumes_snapshots ON storage_volumes.id = storage_volumes_snapshots.storage_volume_id;
CREATE TABLE IF NOT EXISTS "storage_volumes_backups" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    storage_volume_id INTEGER NOT NULL,
    name VARCHAR(255) NOT NULL,
    creation_date DATETIME,
    expiry_date DATETIME,
    volume_only INTEGER NOT NULL default 0,
    optimized_storage INTEGER NOT NULL default 0,
    FOREIGN KEY (storage_volume_id) REFERENCES "storage_volumes" (id) ON DELETE CASCADE,
    UNIQUE (storage_volume_id, name)
);
CREATE TRIGGER storage_volumes_check_id
  BEFORE INSERT ON storage_volumes
  WHEN NEW.id IN (SELECT id FROM storage_volumes_snapshots)
  BEGIN
    SELECT RAISE(FAIL,
    "invalid ID");
  END;
CREATE TABLE IF NOT EXISTS "storage_volumes_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    storage_volume_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    UNIQUE (storage_volume_id, key),
    FOREIGN KEY (storage_volume_id) REFERENCES "storage_volumes" (id) ON DELETE CASCADE
);
INSERT INTO storage_volumes_config VALUES(1,1,'volatile.idmap.next','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
INSERT INTO storage_volumes_config VALUES(2,1,'volatile.idmap.last','[{"Isuid":true,"Isgid":false,"Hostid":100000,"Nsid":0,"Maprange":10000001},{"Isuid":false,"Isgid":true,"Hostid":100000,"Nsid":0,"Maprange":10000001}]');
CREATE TABLE IF NOT EXISTS "storage_volumes_snapshots" (
    id INTEGER NOT NULL,
    storage_volume_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    expiry_date DATETIME,
    UNIQUE (id),
    UNIQUE (storage_volume_id, name),
    FOREIGN KEY (storage_volume_id) REFERENCES "storage_volumes" (id) ON DELETE CASCADE
);
INSERT INTO storage_volumes_snapshots VALUES(6,5,'snap0','','0001-01-01 00:00:00+00:00');
INSERT INTO storage_volumes_snapshots VALUES(7,5,'snap1','','0001-01-01 00:00:00+00:00');
CREATE TRIGGER storage_volumes_snapshots_check_id
  BEFORE INSERT ON storage_volumes_snapshots
  WHEN NEW.id IN (SELECT id FROM storage_volumes)
  BEGIN
    SELECT RAISE(FAIL,
    "invalid ID");
  END;
CREATE TABLE IF NOT EXISTS "storage_volumes_snapshots_config" (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    storage_volume_snapshot_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT,
    FOREIGN KEY (storage_volume_snapshot_id) REFERENCES "storage_volumes_snapshots" (id) ON DELETE CASCADE,
    UNIQUE (storage_volume_snapshot_id, key)
);
CREATE TABLE IF NOT EXISTS "warnings" (
	id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
	node_id INTEGER,
	project_id INTEGER,
	entity_type_code INTEGER,
	entity_id INTEGER,
	uuid TEXT NOT NULL,
	type_code INTEGER NOT NULL,
	status INTEGER NOT NULL,
	first_seen_date DATETIME NOT NULL,
	last_seen_date DATETIME NOT NULL,
	updated_date DATETIME,
	last_message TEXT NOT NULL,
	count INTEGER NOT NULL,
	UNIQUE (uuid),
	FOREIGN KEY (node_id) REFERENCES "nodes"(id) ON DELETE CASCADE,
	FOREIGN KEY (project_id) REFERENCES "projects" (id) ON DELETE CASCADE
);
INSERT INTO warnings VALUES(1,1,NULL,NULL,NULL,'56ba5fd9-da36-4267-a390-35196b5050f5',14,1,'2026-11-26 14:45:21.667855086+00:00','2026-11-26 14:45:21.667855086+00:00','0001-01-01 00:00:00+00:00','Disabled because of lack of kernel support',1);
INSERT INTO warnings VALUES(2,1,NULL,NULL,NULL,'21b61036-d74f-45c6-a34a-c4351b44fbed',2,1,'2026-11-26 14:45:21.696024316+00:00','2026-11-26 14:45:21.696024316+00:00','0001-01-01 00:00:00+00:00','disk priority will be ignored',1);
INSERT INTO warnings VALUES(3,1,NULL,NULL,NULL,'e2bef890-d412-44fa-8041-85f1789d748d',10,1,'2026-11-26 14:45:21.711541722+00:00','2026-11-26 14:45:21.711541722+00:00','0001-01-01 00:00:00+00:00','network priority will be ignored',1);
INSERT INTO warnings VALUES(4,1,NULL,NULL,NULL,'2c940d5f-a506-4373-a408-957401132125',23,1,'2026-11-26 14:45:21.727404147+00:00','2026-11-26 14:45:21.727404147+00:00','0001-01-01 00:00:00+00:00','KVM support is missing (no /dev/kvm)',1);
CREATE UNIQUE INDEX warnings_unique_node_id_project_id_entity_type_code_entity_id_type_code ON warnings(IFNULL(node_id, -1), IFNULL(project_id, -1), entity_type_code, entity_id, type_code);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('schema',1);
INSERT INTO sqlite_sequence VALUES('nodes',1);
INSERT INTO sqlite_sequence VALUES('projects',2);
INSERT INTO sqlite_sequence VALUES('projects_config',11);
INSERT INTO sqlite_sequence VALUES('profiles',3);
INSERT INTO sqlite_sequence VALUES('cluster_groups',1);
INSERT INTO sqlite_sequence VALUES('operations',332);
INSERT INTO sqlite_sequence VALUES('warnings',4);
INSERT INTO sqlite_sequence VALUES('storage_pools',1);
INSERT INTO sqlite_sequence VALUES('storage_pools_nodes',1);
INSERT INTO sqlite_sequence VALUES('storage_pools_config',1);
INSERT INTO sqlite_sequence VALUES('profiles_devices',2);
INSERT INTO sqlite_sequence VALUES('profiles_devices_config',6);
INSERT INTO sqlite_sequence VALUES('images',2);
INSERT INTO sqlite_sequence VALUES('images_properties',8);
INSERT INTO sqlite_sequence VALUES('images_nodes',2);
INSERT INTO sqlite_sequence VALUES('images_aliases',2);
INSERT INTO sqlite_sequence VALUES('profiles_config',4);
INSERT INTO sqlite_sequence VALUES('storage_volumes',9);
INSERT INTO sqlite_sequence VALUES('instances',6);
INSERT INTO sqlite_sequence VALUES('instances_config',3908);
INSERT INTO sqlite_sequence VALUES('instances_profiles',302);
INSERT INTO sqlite_sequence VALUES('instances_devices',1);
INSERT INTO sqlite_sequence VALUES('instances_devices_config',4);
INSERT INTO sqlite_sequence VALUES('storage_volumes_config',2);
INSERT INTO sqlite_sequence VALUES('instances_snapshots',2);
INSERT INTO sqlite_sequence VALUES('instances_snapshots_config',28);
INSERT INTO sqlite_sequence VALUES('instances_backups',2);
COMMIT;
