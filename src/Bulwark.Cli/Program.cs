using Bulwark.Cli;

return await CliApp.RunAsync(args, CliConsole.System(), TimeProvider.System);
