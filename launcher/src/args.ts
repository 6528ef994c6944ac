/** Launcher command line: `npm start -- [--headless] [--config FILE]`. */
export interface LauncherArgs {
  headless: boolean;
  config: string | undefined;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): LauncherArgs {
  const args: LauncherArgs = { headless: false, config: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--headless') args.headless = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--config') args.config = argv[++i];
    else if (arg.startsWith('--config=')) args.config = arg.slice('--config='.length);
    else throw new Error(`unknown option ${arg} (try --help)`);
  }
  return args;
}

export const USAGE = `Usage: npm start -- [options]
  --headless      start hub, SFU and device bridge only, and print their URLs
  --config FILE   configuration file (JSON; also CC_CONFIG); every setting also has a CC_* variable
  --help          this text`;
