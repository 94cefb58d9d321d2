DROP TABLE network_state;
