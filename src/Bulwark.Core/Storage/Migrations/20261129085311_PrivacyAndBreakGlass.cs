using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Bulwark.Core.Storage.Migrations
{
    /// <inheritdoc />
    public partial class PrivacyAndBreakGlass : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "CaptureRetentionDays",
                table: "projects",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DatasetRetentionDays",
                table: "projects",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RetrainReason",
                table: "model_versions",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RetrainRequiredAt",
                table: "model_versions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ObjectId",
                table: "datasets",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubjectColumn",
                table: "datasets",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SubjectPseudonym",
                table: "captured_predictions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "break_glass_sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Login = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ProjectId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Permissions = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    EndedBy = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ClientAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Requests = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_break_glass_sessions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_captured_predictions_ProjectId_SubjectPseudonym",
                table: "captured_predictions",
                columns: new[] { "ProjectId", "SubjectPseudonym" });

            migrationBuilder.CreateIndex(
                name: "IX_break_glass_sessions_StartedAt",
                table: "break_glass_sessions",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_break_glass_sessions_UserId_ProjectId_EndedAt",
                table: "break_glass_sessions",
                columns: new[] { "UserId", "ProjectId", "EndedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "break_glass_sessions");

            migrationBuilder.DropIndex(
                name: "IX_captured_predictions_ProjectId_SubjectPseudonym",
                table: "captured_predictions");

            migrationBuilder.DropColumn(
                name: "CaptureRetentionDays",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "DatasetRetentionDays",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "RetrainReason",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "RetrainRequiredAt",
                table: "model_versions");

            migrationBuilder.DropColumn(
                name: "ObjectId",
                table: "datasets");

            migrationBuilder.DropColumn(
                name: "SubjectColumn",
                table: "datasets");

            migrationBuilder.DropColumn(
                name: "SubjectPseudonym",
                table: "captured_predictions");
        }
    }
}
