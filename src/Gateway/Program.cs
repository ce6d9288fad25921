using Stratum.Gateway;

GatewayApp.Build(args).Run();
