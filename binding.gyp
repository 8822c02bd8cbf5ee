# SPDX-License-Identifier: GPL-2.0-only
# The addon links the kernel library built by deps/build.sh (run by the
# package's install script before node-gyp-build).
{
  'variables': {
    'lkl_out%': '<(module_root_dir)/deps/build/out',
  },
  'targets': [
    {
      'target_name': 'lkl',
      'sources': [
        'native/addon.cc',
        'native/pool.cc',
        'native/root.cc',
        'native/kernel.cc',
        'native/disk.cc',
        'native/disk_custom.cc',
        'native/ops.cc',
        'native/ops_struct.cc',
        'native/ops_file.cc',
        'native/ops_xattr.cc',
        'native/ops_tree.cc',
        'native/constants.cc',
        'native/batch_scan.cc',
        'native/batch_apply.cc',
        'native/beneath.cc',
        'native/copy.cc',
        'native/host_ops.cc',
        'native/dirents.cc',
        'native/name_codec.cc',
        'native/sysctl.cc',
        'native/kmsg.cc',
      ],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        '<(lkl_out)/include',
      ],
      'libraries': [
        '<(lkl_out)/liblkl.a',
        '-lpthread',
        '-lrt',
      ],
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_DISABLE_CPP_EXCEPTIONS',
      ],
      'cflags_cc': [
        '-std=c++17',
        '-fvisibility=hidden',
        '-Wall',
        '-Wextra',
      ],
      'cflags_cc!': ['-std=gnu++17', '-std=gnu++1y'],
    },
  ],
}
