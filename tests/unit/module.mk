# tests/unit — C unit tests for every codec and parser; each is a TAP
# program (see unit.h).  Add a test: name it here and write tests/unit/<name>.c.
UNIT_TESTS += test_buf test_ip_icmp test_stats test_json test_decode
