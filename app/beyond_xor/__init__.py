"""The Beyond XOR chapter (pages/beyond_xor.py): other problems, the student's own points, and how
many hidden neurons each problem needs."""
