import { expect } from 'chai';
import { halsync } from '../support/serve.js';

describe('cli/program: the halsync command line', () => {
  it('lists its commands under --help, and each command its options', async () => {
    const help = await halsync(['--help']);
    expect(help.code).to.equal(0);
    for (const command of ['serve', 'sync', 'compact']) expect(help.stdout).to.match(new RegExp(`^\\s+${command}\\b`, 'm'));
    const serve = await halsync(['serve', '--help']);
    expect(serve.code).to.equal(0);
    expect(serve.stdout).to.include('--tombstone-retention <duration>').and.include('--max-active-jobs <n>');
  });

  it('refuses an unknown command or option with its help, exit 1', async () => {
    const unknown = await halsync(['frobnicate']);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/unknown command 'frobnicate'/);
    const option = await halsync(['sync', '--nope', 'http://127.0.0.1:9/']);
    expect(option.code).to.equal(1);
    expect(option.stderr).to.match(/unknown option '--nope'/);
  });

  it('checks numbers and durations before a command runs, naming the option and its range', async () => {
    const port = await halsync(['serve', '--port', '70000']);
    expect(port.code).to.equal(1);
    expect(port.stderr).to.match(/port must be an integer from 0 to 65535/);
    const skew = await halsync(['sync', '--skew-ms', '1.5', 'http://127.0.0.1:9/']);
    expect(skew.stderr).to.match(/skew-ms must be an integer from 0 to 86400000/);
    const retention = await halsync(['serve', '--tombstone-retention', 'forever']);
    expect(retention.code).to.equal(1);
    expect(retention.stderr).to.match(/"forever" is not a duration/);
    const prefer = await halsync(['sync', '--prefer', 'both', 'http://127.0.0.1:9/']);
    expect(prefer.stderr).to.match(/Allowed choices are fingerprint, local, remote/);
  });
});
