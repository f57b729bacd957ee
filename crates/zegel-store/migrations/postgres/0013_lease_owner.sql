-- Which node holds a delivery's lease (its id from data_dir/node-id), so a
-- node restarted on a shared database takes its own leases back at once
-- instead of waiting for them to run out like a dead node's.
ALTER TABLE deliveries ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
