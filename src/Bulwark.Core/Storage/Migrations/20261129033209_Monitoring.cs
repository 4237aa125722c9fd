using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Monitoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "captured_predictions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    VersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Principal = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Rows = table.Column<int>(type: "INTEGER", nullable: false),
                    Protocol = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Payload = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_captured_predictions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "feedback_labels",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    PredictionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Row = table.Column<int>(type: "INTEGER", nullable: false),
                    Label = table.Column<string>(type: "TEXT", nullable: false),
                    Principal = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    BatchId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_feedback_labels", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "monitoring_reports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    WindowStart = table.Column<long>(type: "INTEGER", nullable: false),
                    WindowEnd = table.Column<long>(type: "INTEGER", nullable: false),
                    Rows = table.Column<int>(type: "INTEGER", nullable: false),
                    Labels = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    FindingsJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_monitoring_reports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "retraining_runs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ModelName = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    JobId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_retraining_runs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_captured_predictions_At",
                table: "captured_predictions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_captured_predictions_ProjectId_ModelName_At",
                table: "captured_predictions",
                columns: new[] { "ProjectId", "ModelName", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_feedback_labels_PredictionId_Row",
                table: "feedback_labels",
                columns: new[] { "PredictionId", "Row" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_feedback_labels_ProjectId_ModelName_State",
                table: "feedback_labels",
                columns: new[] { "ProjectId", "ModelName", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_monitoring_reports_ProjectId_ModelName_WindowEnd",
                table: "monitoring_reports",
                columns: new[] { "ProjectId", "ModelName", "WindowEnd" });

            migrationBuilder.CreateIndex(
                name: "IX_retraining_runs_ProjectId_ModelName_State",
                table: "retraining_runs",
                columns: new[] { "ProjectId", "ModelName", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "captured_predictions");

            migrationBuilder.DropTable(
                name: "feedback_labels");

            migrationBuilder.DropTable(
                name: "monitoring_reports");

            migrationBuilder.DropTable(
                name: "retraining_runs");
        }
    }
}
