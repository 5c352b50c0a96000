return await CityNode.Cli.CliApp.RunAsync(args);
