global using AwesomeAssertions;
global using k8s.Models;
global using MlflowChart.Tests.Infrastructure;
global using Xunit;
