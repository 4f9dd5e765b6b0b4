"""What pip installs: the package and its metadata, built offline from this directory."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import kaarpc

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')


def can_build_offline():
    return all(importlib.util.find_spec(m) is not None for m in ('pip', 'setuptools', 'wheel'))


class PackagingTest(unittest.TestCase):

    def test_the_version_is_one_fact(self):
        with open(os.path.join(ROOT, 'pyproject.toml')) as f:
            declared = re.search(r'^version = "([^"]+)"$', f.read(), re.M).group(1)
        self.assertEqual(declared, kaarpc.__version__)

    def test_the_public_names_are_documented(self):
        for name in kaarpc.__all__:
            self.assertTrue(getattr(kaarpc, name).__doc__, name)

    @unittest.skipUnless(can_build_offline(), 'pip, setuptools and wheel are needed to build without an index')
    def test_pip_installs_a_package_that_imports_and_serves(self):
        with tempfile.TemporaryDirectory() as tmp:
            # built from a copy: setuptools writes build/ and egg-info/ beside the sources
            source = os.path.join(tmp, 'source')
            shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns('build', '*.egg-info', '__pycache__'))
            target = os.path.join(tmp, 'target')
            subprocess.run([sys.executable, '-m', 'pip', 'install', '--quiet', '--no-build-isolation', '--no-index',
                            '--target', target, source], check=True, timeout=300,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            script = ('import asyncio, kaarpc\n'
                      '@kaarpc.expose()\n'
                      'def twice(x):\n'
                      '    return 2 * x\n'
                      'async def main():\n'
                      '    s = await kaarpc.Server("127.0.0.1:0", "s").register(twice).start()\n'
                      '    c = await kaarpc.Client(s.bound, "s").connect()\n'
                      '    print(kaarpc.__file__, await c.rpc("twice", 21))\n'
                      '    c.close()\n'
                      '    await s.close()\n'
                      'asyncio.run(main())\n')
            out = subprocess.run([sys.executable, '-c', script], env=dict(os.environ, PYTHONPATH=target),
                                 cwd=target, check=True, timeout=60, capture_output=True, text=True).stdout
            self.assertTrue(out.startswith(os.path.join(target, 'kaarpc')), out)
            self.assertTrue(out.strip().endswith(' 42'), out)


if __name__ == '__main__':
    unittest.main()
