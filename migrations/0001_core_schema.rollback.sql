DROP TABLE IF EXISTS support_requests;
DROP TABLE IF EXISTS earnings_history;
DROP TABLE IF EXISTS node_stats_cache;
DROP TABLE IF EXISTS user_nodes;
DROP TABLE IF EXISTS nodes;
DROP TABLE IF EXISTS users;
DROP FUNCTION IF EXISTS minegnk_touch_updated_at();
