// SPDX-License-Identifier: GPL-2.0-only
// Every `lkl` command, in the order `lkl --help` lists them.

import type { Command } from '../command'
import { create } from './create'
import { unpack } from './unpack'
import { pack } from './pack'
import { cp } from './cp'
import { ls } from './ls'
import { cat } from './cat'
import { rm } from './rm'
import { mkdir } from './mkdir'
import { info } from './info'

export const COMMANDS: Command[] = [create, unpack, pack, cp, ls, cat, rm, mkdir, info]
