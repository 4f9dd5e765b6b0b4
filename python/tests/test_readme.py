"""The examples of the READMEs: every Python block compiles, and the package README's example runs."""

import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')


def python_blocks(path, section=None):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if section is not None:
        start = text.index(section)
        end = text.find('\n## ', start + len(section))
        text = text[start:end if end > 0 else len(text)]
    return re.findall(r'```python\n(.*?)```', text, re.S)


class ReadmeTest(unittest.TestCase):

    def test_every_python_block_of_the_guide_compiles(self):
        blocks = python_blocks(os.path.join(ROOT, '..', 'README.md'), '## From Python 3')
        self.assertGreaterEqual(len(blocks), 3)
        for block in blocks:
            with self.subTest(block=block[:60]):
                compile(block, 'README.md', 'exec', flags=0x2000)  # PyCF_ALLOW_TOP_LEVEL_AWAIT: a fragment may await

    def test_the_package_readme_example_runs(self):
        block, = python_blocks(os.path.join(ROOT, 'README.md'))
        program = block.replace("'127.0.0.1:4000'", "'127.0.0.1:0'")  # an ephemeral port
        out = subprocess.run([sys.executable, '-c', program], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), '42')


if __name__ == '__main__':
    unittest.main()
