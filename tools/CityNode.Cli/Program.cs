using System.CommandLine;
using CityNode.Cli.Commands;

var root = new RootCommand("citynode — simulate, receive, decode and provision CityNode sensor nodes")
{
    SimulateCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
